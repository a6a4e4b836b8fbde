import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { TruthDump } from '../../device-sim/run/world.js';
import { decrypt } from '../../src/app/personal-data.js';

/** Opens a gateway's SQLite store read-only (it may still be running: WAL lets a reader in). */
export function openStoreReadOnly(dataDir: string): Database.Database {
  return new Database(join(dataDir, 'lockergate.db'), { readonly: true, fileMustExist: true });
}

/** Rows in a transient state (reserved parcel, live deposit or pickup, unfinished command) created before `before`. */
export function transientRows(db: Database.Database, before: number): string[] {
  const rows = (sql: string) => db.prepare(sql).all(before) as Array<{ id: string; state: string }>;
  return [
    ...rows("SELECT id, state FROM parcels WHERE state = 'reserved' AND created_at < ?").map((r) => `parcel ${r.id} ${r.state}`),
    ...rows("SELECT id, state FROM deposits WHERE state IN ('opening', 'open') AND created_at < ?").map((r) => `deposit ${r.id} ${r.state}`),
    ...rows("SELECT id, state FROM pickups WHERE state = 'opening' AND created_at < ?").map((r) => `pickup ${r.id} ${r.state}`),
    ...rows("SELECT id, state FROM commands WHERE state IN ('queued', 'sent', 'accepted') AND created_at < ?").map((r) => `command ${r.id} ${r.state}`),
  ];
}

/** Recipient messages still waiting for the dispatcher. */
export function pendingRecipientMessages(db: Database.Database): number {
  return db.prepare("SELECT COUNT(*) FROM outbox WHERE channel = 'recipient_message' AND state = 'pending'").pluck().get() as number;
}

export interface InvariantInput {
  dataDir: string;
  /** The simulator's ground truth at its last oracle check (Supervisor.truths). */
  truths: readonly TruthDump[];
  /** Parcels whose pickup code the test's SMS receiver got (signature checked). */
  smsParcels: ReadonlySet<string>;
  /** Transient rows created before this instant are stuck (nothing was in progress after it). */
  restingSince: number;
  /** LOCKERGATE_NOTIFY_MAX_ATTEMPTS: a pending message below it will still be retried. */
  maxAttempts: number;
}

export interface InvariantReport {
  violations: string[];
  acknowledged: number;
  byFate: Record<string, number>;
  notifications: { deposited: number; delivered: number; pending: number };
}

/** What each fate of a parcel (the simulator's truth) allows its record in the store to say. */
const STATES_FOR_FATE: Readonly<Record<string, readonly string[]>> = {
  in_locker: ['deposited', 'expired'],
  picked_up: ['picked_up'],
  returned: ['returned'],
  not_deposited: ['cancelled'],
  with_courier: ['cancelled'],
  stolen: ['incident'],
};

/**
 * The crash-consistency invariants, checked on the store itself (no API in between):
 * every deposit acknowledged to a courier exists and matches the physical compartment; no
 * compartment holds two live parcels (or is free while a live parcel is in it); nothing is stuck
 * in a transient state; every deposited parcel's pickup code was delivered to the SMS receiver
 * or is still pending with retries left — none dropped.
 */
export function checkStoreInvariants(input: InvariantInput): InvariantReport {
  const db = openStoreReadOnly(input.dataDir);
  const violations: string[] = [];
  const byFate: Record<string, number> = {};
  try {
    const present = new Map<string, string>();
    for (const t of input.truths) for (const l of t.lockers) for (const [index, parcelId] of l.present) present.set(`${l.lockerId}/${index}`, parcelId);
    const deposit = db.prepare('SELECT parcel_id, locker_id, compartment, state FROM deposits WHERE id = ?');
    const parcel = db.prepare('SELECT state, locker_id, compartment FROM parcels WHERE id = ?');
    const compartment = db.prepare('SELECT state FROM compartments WHERE locker_id = ? AND idx = ?').pluck();
    let acknowledged = 0;
    for (const p of input.truths.flatMap((t) => t.parcels)) {
      if (p.depositId === undefined) continue;
      acknowledged += 1;
      byFate[p.fate] = (byFate[p.fate] ?? 0) + 1;
      const d = deposit.get(p.depositId) as { parcel_id: string; locker_id: string; compartment: number; state: string } | undefined;
      if (!d) {
        violations.push(`acknowledged deposit ${p.depositId} is not in the store`);
        continue;
      }
      if (d.parcel_id !== p.parcelId || d.locker_id !== p.lockerId || d.compartment !== p.compartment) {
        violations.push(`deposit ${p.depositId}: store says ${d.parcel_id} at ${d.locker_id}/${d.compartment}, the courier was told ${p.parcelId} at ${p.lockerId}/${p.compartment}`);
      }
      const row = parcel.get(p.parcelId) as { state: string; locker_id: string; compartment: number } | undefined;
      if (!row) {
        violations.push(`parcel ${p.parcelId} of acknowledged deposit ${p.depositId} is not in the store`);
        continue;
      }
      if (!STATES_FOR_FATE[p.fate]?.includes(row.state)) violations.push(`parcel ${p.parcelId} is ${row.state} in the store, physically ${p.fate}`);
      if (p.fate === 'in_locker') {
        const where = `${row.locker_id}/${row.compartment}`;
        if (present.get(where) !== p.parcelId) violations.push(`parcel ${p.parcelId} is at ${where} in the store, but that compartment physically holds ${present.get(where) ?? 'nothing'}`);
        const state = compartment.get(row.locker_id, row.compartment) as string | undefined;
        if (state !== 'occupied') violations.push(`compartment ${where} holds parcel ${p.parcelId} but is ${state ?? 'missing'} in the store`);
      }
    }

    const twice = db.prepare("SELECT locker_id, compartment, GROUP_CONCAT(id) AS ids FROM parcels WHERE state IN ('reserved', 'deposited', 'expired') GROUP BY locker_id, compartment HAVING COUNT(*) > 1").all() as Array<{ locker_id: string; compartment: number; ids: string }>;
    for (const r of twice) violations.push(`compartment ${r.locker_id}/${r.compartment} assigned to live parcels ${r.ids}`);
    const liveDeposits = db.prepare("SELECT locker_id, compartment, GROUP_CONCAT(id) AS ids FROM deposits WHERE state IN ('opening', 'open') GROUP BY locker_id, compartment HAVING COUNT(*) > 1").all() as Array<{ locker_id: string; compartment: number; ids: string }>;
    for (const r of liveDeposits) violations.push(`compartment ${r.locker_id}/${r.compartment} has live deposits ${r.ids}`);
    const freeButHeld = db.prepare("SELECT p.id, p.locker_id, p.compartment FROM parcels p JOIN compartments c ON c.locker_id = p.locker_id AND c.idx = p.compartment WHERE p.state IN ('reserved', 'deposited', 'expired') AND c.state = 'available'").all() as Array<{ id: string; locker_id: string; compartment: number }>;
    for (const r of freeButHeld) violations.push(`compartment ${r.locker_id}/${r.compartment} is available while live parcel ${r.id} is assigned to it`);

    for (const stuck of transientRows(db, input.restingSince)) violations.push(`stuck: ${stuck}`);

    const keys = JSON.parse(readFileSync(join(input.dataDir, 'keys.json'), 'utf8')) as { data: string };
    const dataKey = Buffer.from(keys.data, 'hex');
    const codes = new Map<string, Array<{ state: string; attempts: number }>>();
    const outbox = db.prepare("SELECT id, state, attempts, body_sealed FROM outbox WHERE channel = 'recipient_message' AND event = 'pickup_code'").all() as Array<{ id: string; state: string; attempts: number; body_sealed: string | null }>;
    for (const m of outbox) {
      if (m.body_sealed === null) {
        violations.push(`pickup-code message ${m.id} has no body`);
        continue;
      }
      const { parcelId } = JSON.parse(decrypt(dataKey, m.body_sealed)) as { parcelId: string };
      codes.set(parcelId, [...(codes.get(parcelId) ?? []), { state: m.state, attempts: m.attempts }]);
    }
    const failed = db.prepare("SELECT id, event FROM outbox WHERE state = 'failed'").all() as Array<{ id: string; event: string }>;
    for (const f of failed) violations.push(`notification ${f.id} (${f.event}) failed for good`);
    const deposited = db.prepare('SELECT id FROM parcels WHERE deposited_at IS NOT NULL').pluck().all() as string[];
    let delivered = 0;
    let pending = 0;
    for (const id of deposited) {
      const messages = codes.get(id) ?? [];
      if (messages.some((m) => m.state === 'delivered')) {
        delivered += 1;
        if (!input.smsParcels.has(id)) violations.push(`pickup code of parcel ${id} marked delivered, but the SMS receiver never got it`);
      } else if (messages.some((m) => m.state === 'pending' && m.attempts < input.maxAttempts)) {
        pending += 1;
      } else {
        violations.push(`parcel ${id} was deposited but its pickup code is neither delivered nor pending (${JSON.stringify(messages)})`);
      }
    }
    return { violations, acknowledged, byFate, notifications: { deposited: deposited.length, delivered, pending } };
  } finally {
    db.close();
  }
}

/** Everything the store knows about one compartment's recent history: for a failure message. */
export function compartmentHistory(dataDir: string, lockerId: string, compartment: number): Record<string, unknown[]> {
  const db = openStoreReadOnly(dataDir);
  try {
    const parcels = db.prepare('SELECT id, state, created_at, deposited_at, completed_at FROM parcels WHERE locker_id = ? AND compartment = ? ORDER BY created_at').all(lockerId, compartment) as Array<{ id: string }>;
    const ids = parcels.map((p) => p.id);
    const inIds = (sql: string) => (ids.length === 0 ? [] : db.prepare(sql.replace('(?)', `(${ids.map(() => '?').join(',')})`)).all(...ids));
    return {
      parcels,
      events: inIds('SELECT parcel_id, at, type, details FROM parcel_events WHERE parcel_id IN (?) ORDER BY at'),
      deposits: inIds('SELECT id, parcel_id, state, reason, command_id, created_at, updated_at FROM deposits WHERE parcel_id IN (?)'),
      pickups: inIds('SELECT id, parcel_id, channel, state, reason, command_id, created_at, completed_at FROM pickups WHERE parcel_id IN (?)'),
      commands: db.prepare('SELECT id, type, state, outcome, created_at, expires_at, sent_at, accepted_at, completed_at, attempts, actor FROM commands WHERE locker_id = ? AND compartment = ? ORDER BY created_at').all(lockerId, compartment),
      alarms: db.prepare('SELECT kind, state, raised_at, details FROM alarms WHERE locker_id = ? AND compartment = ? ORDER BY raised_at').all(lockerId, compartment),
    };
  } finally {
    db.close();
  }
}
