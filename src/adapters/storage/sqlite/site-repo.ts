import type Database from 'better-sqlite3';
import type { SiteRepo } from '../../../app/ports.js';
import type { Site, SiteKind } from '../../../domain/locker.js';

interface SiteRow {
  id: string;
  name: string;
  kind: string;
  region_code: string;
  address: string;
  created_at: number;
}

const toSite = (r: SiteRow): Site => ({
  id: r.id,
  name: r.name,
  kind: r.kind as SiteKind,
  regionCode: r.region_code,
  address: r.address,
  createdAt: r.created_at,
});

export class SqliteSiteRepo implements SiteRepo {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], SiteRow>;
  private readonly listStmt: Database.Statement<[], SiteRow>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      'INSERT INTO sites (id, name, kind, region_code, address, created_at) VALUES (@id, @name, @kind, @regionCode, @address, @createdAt)',
    );
    this.getStmt = db.prepare('SELECT * FROM sites WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM sites ORDER BY id');
  }

  insert(site: Site): void {
    this.insertStmt.run(site);
  }
  get(id: string): Site | undefined {
    const r = this.getStmt.get(id);
    return r && toSite(r);
  }
  list(): Site[] {
    return this.listStmt.all().map(toSite);
  }
}
