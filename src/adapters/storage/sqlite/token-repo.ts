import type Database from 'better-sqlite3';
import type { TokenRepo } from '../../../app/ports.js';
import type { OperatorRole, OperatorToken } from '../../../domain/token.js';

interface TokenRow {
  id: string;
  name: string;
  role: string;
  created_at: number;
  revoked_at: number | null;
}

const toToken = (r: TokenRow): OperatorToken => ({
  id: r.id,
  name: r.name,
  role: r.role as OperatorRole,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export class SqliteTokenRepo implements TokenRepo {
  private readonly insertStmt: Database.Statement;
  private readonly byHashStmt: Database.Statement<[Buffer], TokenRow>;
  private readonly listStmt: Database.Statement<[], TokenRow>;
  private readonly revokeStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      'INSERT INTO operator_tokens (id, name, role, hash, created_at) VALUES (@id, @name, @role, @hash, @createdAt)',
    );
    this.byHashStmt = db.prepare('SELECT id, name, role, created_at, revoked_at FROM operator_tokens WHERE hash = ? AND revoked_at IS NULL');
    this.listStmt = db.prepare('SELECT id, name, role, created_at, revoked_at FROM operator_tokens ORDER BY created_at');
    this.revokeStmt = db.prepare('UPDATE operator_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  }

  insert(token: OperatorToken, hash: Buffer): void {
    this.insertStmt.run({ id: token.id, name: token.name, role: token.role, hash, createdAt: token.createdAt });
  }
  byHash(hash: Buffer): OperatorToken | undefined {
    const r = this.byHashStmt.get(hash);
    return r && toToken(r);
  }
  list(): OperatorToken[] {
    return this.listStmt.all().map(toToken);
  }
  revoke(id: string, now: number): boolean {
    return this.revokeStmt.run(now, id).changes > 0;
  }
}
