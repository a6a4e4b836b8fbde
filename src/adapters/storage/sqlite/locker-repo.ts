import type Database from 'better-sqlite3';
import type { LockerRepo } from '../../../app/ports.js';
import type {
  Compartment,
  Locker,
  LockerKind,
  LockerStatus,
  OperationalState,
  SensedDoor,
  SensedOccupancy,
  SizeClass,
} from '../../../domain/locker.js';

interface LockerRow {
  id: string;
  site_id: string;
  name: string;
  kind: string;
  status: string;
  commissioned_at: number | null;
  created_at: number;
}

interface CompartmentRow {
  locker_id: string;
  idx: number;
  size: string;
  has_occupancy_sensor: number;
  state: string;
  door: string;
  occupancy: string;
  sensed_at: number | null;
  door_opened_at: number | null;
}

const toLocker = (r: LockerRow): Locker => ({
  id: r.id,
  siteId: r.site_id,
  name: r.name,
  kind: r.kind as LockerKind,
  status: r.status as LockerStatus,
  commissionedAt: r.commissioned_at,
  createdAt: r.created_at,
});

const toCompartment = (r: CompartmentRow): Compartment => ({
  lockerId: r.locker_id,
  index: r.idx,
  size: r.size as SizeClass,
  hasOccupancySensor: r.has_occupancy_sensor === 1,
  state: r.state as OperationalState,
  door: r.door as SensedDoor,
  occupancy: r.occupancy as SensedOccupancy,
  sensedAt: r.sensed_at,
  doorOpenedAt: r.door_opened_at,
});

const compartmentParams = (c: Compartment) => ({
  lockerId: c.lockerId,
  idx: c.index,
  size: c.size,
  sensor: c.hasOccupancySensor ? 1 : 0,
  state: c.state,
  door: c.door,
  occupancy: c.occupancy,
  sensedAt: c.sensedAt,
  doorOpenedAt: c.doorOpenedAt,
});

export class SqliteLockerRepo implements LockerRepo {
  private readonly insertLocker: Database.Statement;
  private readonly insertCompartment: Database.Statement;
  private readonly getStmt: Database.Statement<[string], LockerRow>;
  private readonly listAll: Database.Statement<[], LockerRow>;
  private readonly listBySite: Database.Statement<[string], LockerRow>;
  private readonly statusStmt: Database.Statement;
  private readonly compartmentsStmt: Database.Statement<[string], CompartmentRow>;
  private readonly compartmentStmt: Database.Statement<[string, number], CompartmentRow>;
  private readonly updateCompartmentStmt: Database.Statement;
  private readonly openDoorsStmt: Database.Statement<[number], CompartmentRow>;

  constructor(db: Database.Database) {
    this.insertLocker = db.prepare(
      `INSERT INTO lockers (id, site_id, name, kind, status, commissioned_at, created_at)
       VALUES (@id, @siteId, @name, @kind, @status, @commissionedAt, @createdAt)`,
    );
    this.insertCompartment = db.prepare(
      `INSERT INTO compartments (locker_id, idx, size, has_occupancy_sensor, state, door, occupancy, sensed_at, door_opened_at)
       VALUES (@lockerId, @idx, @size, @sensor, @state, @door, @occupancy, @sensedAt, @doorOpenedAt)`,
    );
    this.getStmt = db.prepare('SELECT * FROM lockers WHERE id = ?');
    this.listAll = db.prepare('SELECT * FROM lockers ORDER BY id');
    this.listBySite = db.prepare('SELECT * FROM lockers WHERE site_id = ? ORDER BY id');
    this.statusStmt = db.prepare('UPDATE lockers SET status = ?, commissioned_at = ? WHERE id = ?');
    this.compartmentsStmt = db.prepare('SELECT * FROM compartments WHERE locker_id = ? ORDER BY idx');
    this.compartmentStmt = db.prepare('SELECT * FROM compartments WHERE locker_id = ? AND idx = ?');
    this.updateCompartmentStmt = db.prepare(
      `UPDATE compartments SET state = @state, door = @door, occupancy = @occupancy, sensed_at = @sensedAt,
       door_opened_at = @doorOpenedAt WHERE locker_id = @lockerId AND idx = @idx`,
    );
    this.openDoorsStmt = db.prepare('SELECT * FROM compartments WHERE door_opened_at IS NOT NULL AND door_opened_at <= ?');
  }

  insert(locker: Locker, compartments: readonly Compartment[]): void {
    this.insertLocker.run(locker);
    for (const c of compartments) this.insertCompartment.run(compartmentParams(c));
  }
  get(id: string): Locker | undefined {
    const r = this.getStmt.get(id);
    return r && toLocker(r);
  }
  list(filter?: { siteId?: string | undefined }): Locker[] {
    const rows = filter?.siteId ? this.listBySite.all(filter.siteId) : this.listAll.all();
    return rows.map(toLocker);
  }
  setStatus(id: string, status: LockerStatus, commissionedAt: number | null): void {
    this.statusStmt.run(status, commissionedAt, id);
  }
  compartments(lockerId: string): Compartment[] {
    return this.compartmentsStmt.all(lockerId).map(toCompartment);
  }
  compartment(lockerId: string, index: number): Compartment | undefined {
    const r = this.compartmentStmt.get(lockerId, index);
    return r && toCompartment(r);
  }
  updateCompartment(c: Compartment): void {
    this.updateCompartmentStmt.run(compartmentParams(c));
  }
  openDoorsSince(openedBefore: number): Compartment[] {
    return this.openDoorsStmt.all(openedBefore).map(toCompartment);
  }
}
