import type Database from 'better-sqlite3';
import type { DepositRepo, PickupRepo } from '../../../app/ports.js';
import type { Deposit, DepositFailure, DepositState, Pickup } from '../../../domain/deposit.js';
import type { SizeClass } from '../../../domain/locker.js';

interface DepositRow {
  id: string;
  parcel_id: string;
  carrier_id: string;
  locker_id: string;
  compartment: number;
  size: string;
  state: string;
  reason: string | null;
  command_id: string | null;
  idempotency_key: string | null;
  confirmed_at: number | null;
  created_at: number;
  updated_at: number;
}

const toDeposit = (r: DepositRow): Deposit => ({
  id: r.id,
  parcelId: r.parcel_id,
  carrierId: r.carrier_id,
  lockerId: r.locker_id,
  compartment: r.compartment,
  size: r.size as SizeClass,
  state: r.state as DepositState,
  reason: r.reason as DepositFailure | null,
  commandId: r.command_id,
  idempotencyKey: r.idempotency_key,
  confirmedAt: r.confirmed_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class SqliteDepositRepo implements DepositRepo {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], DepositRow>;
  private readonly updateStmt: Database.Statement;
  private readonly keyStmt: Database.Statement<[string, string], DepositRow>;
  private readonly commandStmt: Database.Statement<[string], DepositRow>;
  private readonly liveStmt: Database.Statement<[string, number], DepositRow>;
  private readonly liveCompartmentsStmt: Database.Statement<[string], number>;
  private readonly parcelStmt: Database.Statement<[string], DepositRow>;
  private readonly openBeforeStmt: Database.Statement<[number], DepositRow>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO deposits (id, parcel_id, carrier_id, locker_id, compartment, size, state, reason, command_id, idempotency_key, confirmed_at, created_at, updated_at)
       VALUES (@id, @parcelId, @carrierId, @lockerId, @compartment, @size, @state, @reason, @commandId, @idempotencyKey, @confirmedAt, @createdAt, @updatedAt)`,
    );
    this.getStmt = db.prepare('SELECT * FROM deposits WHERE id = ?');
    this.updateStmt = db.prepare(
      `UPDATE deposits SET locker_id = @lockerId, compartment = @compartment, size = @size, state = @state, reason = @reason,
       command_id = @commandId, confirmed_at = @confirmedAt, updated_at = @updatedAt WHERE id = @id`,
    );
    this.keyStmt = db.prepare('SELECT * FROM deposits WHERE carrier_id = ? AND idempotency_key = ?');
    this.commandStmt = db.prepare('SELECT * FROM deposits WHERE command_id = ?');
    this.liveStmt = db.prepare(`SELECT * FROM deposits WHERE locker_id = ? AND compartment = ? AND state IN ('opening', 'open')`);
    this.liveCompartmentsStmt = db.prepare<[string], number>(`SELECT compartment FROM deposits WHERE locker_id = ? AND state IN ('opening', 'open')`).pluck();
    this.parcelStmt = db.prepare('SELECT * FROM deposits WHERE parcel_id = ? ORDER BY created_at DESC LIMIT 1');
    this.openBeforeStmt = db.prepare(`SELECT * FROM deposits WHERE state = 'open' AND updated_at < ?`);
  }

  insert(d: Deposit): void {
    this.insertStmt.run(d);
  }
  get(id: string): Deposit | undefined {
    const r = this.getStmt.get(id);
    return r && toDeposit(r);
  }
  update(d: Deposit): void {
    this.updateStmt.run(d);
  }
  byIdempotencyKey(carrierId: string, key: string): Deposit | undefined {
    const r = this.keyStmt.get(carrierId, key);
    return r && toDeposit(r);
  }
  byCommand(commandId: string): Deposit | undefined {
    const r = this.commandStmt.get(commandId);
    return r && toDeposit(r);
  }
  liveForCompartment(lockerId: string, compartment: number): Deposit | undefined {
    const r = this.liveStmt.get(lockerId, compartment);
    return r && toDeposit(r);
  }
  liveCompartments(lockerId: string): Set<number> {
    return new Set(this.liveCompartmentsStmt.all(lockerId));
  }
  byParcel(parcelId: string): Deposit | undefined {
    const r = this.parcelStmt.get(parcelId);
    return r && toDeposit(r);
  }
  openBefore(before: number): Deposit[] {
    return this.openBeforeStmt.all(before).map(toDeposit);
  }
}

interface PickupRow {
  id: string;
  kind: string;
  channel: string;
  parcel_id: string;
  locker_id: string;
  compartment: number;
  state: string;
  reason: string | null;
  command_id: string | null;
  created_at: number;
  completed_at: number | null;
}

const toPickup = (r: PickupRow): Pickup => ({
  id: r.id,
  kind: r.kind as Pickup['kind'],
  channel: r.channel as Pickup['channel'],
  parcelId: r.parcel_id,
  lockerId: r.locker_id,
  compartment: r.compartment,
  state: r.state as Pickup['state'],
  reason: r.reason,
  commandId: r.command_id,
  createdAt: r.created_at,
  completedAt: r.completed_at,
});

export class SqlitePickupRepo implements PickupRepo {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], PickupRow>;
  private readonly updateStmt: Database.Statement;
  private readonly commandStmt: Database.Statement<[string], PickupRow>;
  private readonly recentStmt: Database.Statement<[string, number, number], PickupRow>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO pickups (id, kind, channel, parcel_id, locker_id, compartment, state, reason, command_id, created_at, completed_at)
       VALUES (@id, @kind, @channel, @parcelId, @lockerId, @compartment, @state, @reason, @commandId, @createdAt, @completedAt)`,
    );
    this.getStmt = db.prepare('SELECT * FROM pickups WHERE id = ?');
    this.updateStmt = db.prepare('UPDATE pickups SET state = @state, reason = @reason, command_id = @commandId, completed_at = @completedAt WHERE id = @id');
    this.commandStmt = db.prepare('SELECT * FROM pickups WHERE command_id = ?');
    this.recentStmt = db.prepare(
      `SELECT * FROM pickups WHERE locker_id = ? AND compartment = ? AND state = 'done' AND completed_at >= ? ORDER BY completed_at DESC LIMIT 1`,
    );
  }

  insert(p: Pickup): void {
    this.insertStmt.run(p);
  }
  get(id: string): Pickup | undefined {
    const r = this.getStmt.get(id);
    return r && toPickup(r);
  }
  update(p: Pickup): void {
    this.updateStmt.run(p);
  }
  byCommand(commandId: string): Pickup | undefined {
    const r = this.commandStmt.get(commandId);
    return r && toPickup(r);
  }
  recentDone(lockerId: string, compartment: number, since: number): Pickup | undefined {
    const r = this.recentStmt.get(lockerId, compartment, since);
    return r && toPickup(r);
  }
}
