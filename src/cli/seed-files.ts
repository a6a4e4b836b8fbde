import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { SeedData } from '../app/reports/seed.js';
import { isIsoDate } from '../domain/calendar.js';
import { LockergateError } from '../domain/errors.js';
import { LOCKER_KINDS, parseLayout, SITE_KINDS } from '../domain/locker.js';
import { CODE_SOURCES, REGION_CODE, REGION_LEVELS, structuralParent, TARGET_METRICS } from '../domain/region.js';

const Code = z.string().regex(REGION_CODE, 'a 6-digit region code');
const Day = z.string().refine(isIsoDate, 'a date YYYY-MM-DD');
const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{2,30}$/);

const RegionsFile = z.array(z.object({
  code: Code,
  parentCode: Code.nullable(),
  level: z.enum(REGION_LEVELS),
  nameZh: z.string().min(1),
  nameEn: z.string().min(1),
  codeSource: z.enum(CODE_SOURCES),
  note: z.string().optional(),
}).strict());

const TargetsFile = z.array(z.object({
  regionCode: Code,
  metric: z.enum(TARGET_METRICS),
  from: Day,
  to: Day,
  value: z.number().positive(),
  note: z.string().optional(),
}).strict());

const Layout = z.string().refine((l) => {
  try {
    return parseLayout(l).length > 0;
  } catch {
    return false;
  }
}, 'a layout like "S:8,M:10,L:6"');

const DemoFile = z.object({
  carriers: z.array(z.object({ id: Id, name: z.string().min(1) }).strict()),
  sites: z.array(z.object({
    id: Id.startsWith('site-'),
    name: z.string().min(1),
    kind: z.enum(SITE_KINDS),
    regionCode: Code,
    address: z.string().min(1),
    lockers: z.array(z.object({ kind: z.enum(LOCKER_KINDS), layout: Layout, count: z.number().int().min(1).max(50) }).strict()),
  }).strict()),
}).strict();

/** seeds/ at the package root, from src/cli (tsx) or dist/src/cli (built). */
export function defaultSeedsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'seeds', 'regions.json'))) return join(dir, 'seeds');
    dir = dirname(dir);
  }
  throw new LockergateError('SEED_INVALID', 'No seeds/ directory found next to the package; pass --dir.');
}

function readJson<T>(dir: string, file: string, schema: z.ZodType<T>): T {
  const path = join(dir, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new LockergateError('SEED_INVALID', `${path}: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new LockergateError('SEED_INVALID', `${path}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** Cross-checks no schema can make: parents exist, official codes sit under their structural parent. */
function crossCheck(data: SeedData): void {
  const codes = new Set(data.regions.map((r) => r.code));
  const fail = (msg: string) => {
    throw new LockergateError('SEED_INVALID', msg);
  };
  for (const r of data.regions) {
    if (r.parentCode !== null && !codes.has(r.parentCode)) fail(`regions.json: ${r.code} has unknown parent ${r.parentCode}`);
    if (r.codeSource !== 'local' && structuralParent(r.code) !== r.parentCode) fail(`regions.json: ${r.code} is not a child of ${r.parentCode} by its code`);
  }
  for (const t of data.targets) {
    if (!codes.has(t.regionCode)) fail(`targets.json: unknown region ${t.regionCode}`);
    if (t.from > t.to) fail(`targets.json: ${t.regionCode} ${t.metric} ends before it starts`);
  }
  for (const s of data.sites) if (!codes.has(s.regionCode)) fail(`demo.json: site ${s.id} is in unknown region ${s.regionCode}`);
}

/** Reads and validates regions.json, targets.json and demo.json from `dir`. */
export function loadSeedFiles(dir: string): SeedData {
  const regions = readJson(dir, 'regions.json', RegionsFile).map(({ note: _note, ...r }) => r);
  const targets = readJson(dir, 'targets.json', TargetsFile).map(({ note: _note, ...t }) => t);
  const demo = readJson(dir, 'demo.json', DemoFile);
  const data: SeedData = { regions, targets, carriers: demo.carriers, sites: demo.sites };
  crossCheck(data);
  return data;
}
