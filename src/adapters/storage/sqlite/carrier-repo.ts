import type Database from 'better-sqlite3';
import type { CarrierRepo } from '../../../app/ports.js';
import type { Carrier } from '../../../domain/parcel.js';

interface CarrierRow {
  id: string;
  name: string;
  webhook_url: string | null;
  created_at: number;
  disabled_at: number | null;
}

const COLUMNS = 'id, name, webhook_url, created_at, disabled_at';
const toCarrier = (r: CarrierRow): Carrier => ({ id: r.id, name: r.name, webhookUrl: r.webhook_url, createdAt: r.created_at, disabledAt: r.disabled_at });

export class SqliteCarrierRepo implements CarrierRepo {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], CarrierRow>;
  private readonly byKeyStmt: Database.Statement<[Buffer], CarrierRow>;
  private readonly listStmt: Database.Statement<[], CarrierRow>;
  private readonly secretStmt: Database.Statement<[string], { webhook_secret_sealed: string | null }>;
  private readonly upsertQuota: Database.Statement;
  private readonly deleteQuota: Database.Statement;
  private readonly quotaStmt: Database.Statement<[string, string], { max_compartments: number }>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO carriers (id, name, api_key_hash, webhook_url, webhook_secret_sealed, created_at, disabled_at)
       VALUES (@id, @name, @apiKeyHash, @webhookUrl, @secret, @createdAt, @disabledAt)`,
    );
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM carriers WHERE id = ?`);
    this.byKeyStmt = db.prepare(`SELECT ${COLUMNS} FROM carriers WHERE api_key_hash = ? AND disabled_at IS NULL`);
    this.listStmt = db.prepare(`SELECT ${COLUMNS} FROM carriers ORDER BY id`);
    this.secretStmt = db.prepare('SELECT webhook_secret_sealed FROM carriers WHERE id = ?');
    this.upsertQuota = db.prepare(
      `INSERT INTO carrier_quotas (carrier_id, locker_id, max_compartments) VALUES (?, ?, ?)
       ON CONFLICT (carrier_id, locker_id) DO UPDATE SET max_compartments = excluded.max_compartments`,
    );
    this.deleteQuota = db.prepare('DELETE FROM carrier_quotas WHERE carrier_id = ? AND locker_id = ?');
    this.quotaStmt = db.prepare('SELECT max_compartments FROM carrier_quotas WHERE carrier_id = ? AND locker_id = ?');
  }

  insert(c: Carrier, apiKeyHash: Buffer, webhookSecretSealed: string | null): void {
    this.insertStmt.run({ ...c, apiKeyHash, secret: webhookSecretSealed });
  }
  get(id: string): Carrier | undefined {
    const r = this.getStmt.get(id);
    return r && toCarrier(r);
  }
  byApiKeyHash(hash: Buffer): Carrier | undefined {
    const r = this.byKeyStmt.get(hash);
    return r && toCarrier(r);
  }
  list(): Carrier[] {
    return this.listStmt.all().map(toCarrier);
  }
  webhookSecretSealed(id: string): string | undefined {
    return this.secretStmt.get(id)?.webhook_secret_sealed ?? undefined;
  }
  setQuota(carrierId: string, lockerId: string, maxCompartments: number | null): void {
    if (maxCompartments === null) this.deleteQuota.run(carrierId, lockerId);
    else this.upsertQuota.run(carrierId, lockerId, maxCompartments);
  }
  quota(carrierId: string, lockerId: string): number | undefined {
    return this.quotaStmt.get(carrierId, lockerId)?.max_compartments;
  }
}
