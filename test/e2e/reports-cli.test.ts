import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/storage/sqlite/db.js';
import { addDays, shanghaiDay } from '../../src/domain/calendar.js';
import { structuralParent } from '../../src/domain/region.js';
import { runCli } from '../helpers/process.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lockergate-seed-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function withStore<T>(dataDir: string, work: (s: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore({ file: join(dataDir, 'lockergate.db') });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe('seeds/', () => {
  interface RegionEntry { code: string; parentCode: string | null; level: string; nameZh: string; nameEn: string; codeSource: string; note?: string }
  const regions = JSON.parse(readFileSync(new URL('../../seeds/regions.json', import.meta.url), 'utf8')) as RegionEntry[];

  it('hold Jilin and its prefecture-level divisions with their GB/T 2260 codes, and mark local codes as such', () => {
    const byCode = new Map(regions.map((r) => [r.code, r]));
    const expected: Array<[string, string, string]> = [
      ['220000', '吉林省', 'Jilin Province'], ['220100', '长春市', 'Changchun'], ['220200', '吉林市', 'Jilin City'], ['220300', '四平市', 'Siping'],
      ['220400', '辽源市', 'Liaoyuan'], ['220500', '通化市', 'Tonghua'], ['220600', '白山市', 'Baishan'], ['220700', '松原市', 'Songyuan'],
      ['220800', '白城市', 'Baicheng'], ['222400', '延边朝鲜族自治州', 'Yanbian Korean Autonomous Prefecture'],
      ['220102', '南关区', 'Nanguan District'], ['220103', '宽城区', 'Kuancheng District'], ['220104', '朝阳区', 'Chaoyang District'],
      ['220105', '二道区', 'Erdao District'], ['220106', '绿园区', 'Lüyuan District'], ['220112', '双阳区', 'Shuangyang District'], ['220113', '九台区', 'Jiutai District'],
    ];
    for (const [code, zh, en] of expected) expect([code, byCode.get(code)?.nameZh, byCode.get(code)?.nameEn, byCode.get(code)?.codeSource]).toEqual([code, zh, en, 'gb2260']);
    expect(['220171', '220172', '220173', '220174'].map((c) => byCode.get(c)?.codeSource)).toEqual(['nbs', 'nbs', 'nbs', 'nbs']);
    for (const zone of ['长白山保护开发区', '长春新区']) {
      const r = regions.find((x) => x.nameZh === zone);
      expect([zone, r?.codeSource, r?.level, r?.note]).toEqual([zone, 'local', 'zone', expect.stringContaining('Local code')]);
    }
    for (const r of regions) {
      expect(r.code).toMatch(/^\d{6}$/);
      if (r.parentCode !== null) expect(byCode.has(r.parentCode), r.code).toBe(true);
      // Every code, local ones included, sits under its parent by structure, so unknown sites roll up the same way.
      expect([r.code, structuralParent(r.code)]).toEqual([r.code, r.parentCode]);
    }
  });

  it('load idempotently: a second run creates nothing and shows no API key', async () => {
    const env = { LOCKERGATE_DATA_DIR: tempDir() };
    const first = await runCli(['seed'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`regions: ${regions.length} created, 0 updated, 0 unchanged`);
    expect(first.stdout).toContain('lockers: 292 created, 0 already there');
    expect(first.stdout.match(/api key of car-[a-z]+ \(.+\): lgc_\S+/g)).toHaveLength(4);
    const second = await runCli(['seed'], env);
    expect(second.stdout).toContain(`regions: 0 created, 0 updated, ${regions.length} unchanged`);
    expect(second.stdout).toContain('carriers: 0 created, 4 already there');
    expect(second.stdout).toContain('lockers: 0 created, 292 already there');
    expect(second.stdout).not.toContain('lgc_');
    const counts = await withStore(env.LOCKERGATE_DATA_DIR, (s) =>
      s.read((tx) => [tx.regions.list().length, tx.sites.list().length, tx.lockers.list().length, tx.lockers.list().filter((l) => l.kind === 'mailbox_bank').length]));
    expect(counts).toEqual([regions.length, 55, 292, 9]);
  });

  it('--regions-only loads the reference data alone; a broken seed file stops before anything is written', async () => {
    const env = { LOCKERGATE_DATA_DIR: tempDir() };
    const res = await runCli(['seed', '--regions-only', '--json'], env);
    expect(JSON.parse(res.stdout)).toMatchObject({ regions: { created: regions.length }, targets: { created: 30 }, newCarriers: [] });
    const bad = tempDir();
    writeFileSync(join(bad, 'regions.json'), JSON.stringify([{ ...regions[1], parentCode: '210000' }]));
    writeFileSync(join(bad, 'targets.json'), '[]');
    writeFileSync(join(bad, 'demo.json'), JSON.stringify({ carriers: [], sites: [] }));
    const broken = await runCli(['seed', '--dir', bad], { LOCKERGATE_DATA_DIR: tempDir() });
    expect([broken.code, broken.stderr]).toEqual([1, expect.stringContaining('SEED_INVALID')]);
    expect(broken.stderr).toContain('220100 has unknown parent 210000');
  });
});

describe('lockergate import volumes', () => {
  it('imports the good rows, rejects the bad ones by line number, and exits non-zero', async () => {
    const env = { LOCKERGATE_DATA_DIR: tempDir() };
    await runCli(['seed', '--regions-only'], env);
    await runCli(['carrier', 'add', '--name', 'Beifang', '--id', 'car-bf'], env);
    const today = shanghaiDay(Date.now());
    const y = addDays(today, -1);
    const file = join(tempDir(), 'volumes.csv');
    writeFileSync(file, [
      '\uFEFFregionCode,date,deliveredTotal,deliveredWithin24h,deliveredWithin72h',
      `220102,${y},120,90,118`,
      `220102,${y},abc,,`,
      `229999,${y},5,,`,
      `220104,${y},"5"x,,`,
      '',
      `220105,${y},10,20,`,
      `220100,${addDays(today, 3)},1,,`,
      `220103,${y},60`,
      `220106,${y},1,2,3,4`,
      `220102,${y},125,95,120`,
    ].join('\r\n'));
    const res = await runCli(['import', 'volumes', file, '--carrier', 'car-bf'], env);
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n').filter((l) => l.startsWith('line '))).toEqual([
      'line 3: deliveredTotal must be a whole number ≥ 0',
      'line 4: REGION_NOT_FOUND: No region "229999".',
      'line 5: not valid CSV: a quoted field goes on after its closing quote',
      'line 7: VOLUME_REPORT_INVALID: deliveredWithin24h (20) exceeds deliveredTotal (10)',
      `line 8: VOLUME_REPORT_INVALID: date ${addDays(today, 3)} is in the future (today is ${today} in Asia/Shanghai)`,
      'line 10: expected 5 fields, found 6',
    ]);
    expect(res.stdout).toContain('3 rows imported (0 flagged inconsistent), 6 rejected');
    expect(res.stderr).toContain('error IMPORT_ROWS_REJECTED');
    const stored = await withStore(env.LOCKERGATE_DATA_DIR, (s) => s.read((tx) => [tx.volumes.get('car-bf', '220102', y), tx.volumes.get('car-bf', '220103', y)]));
    expect(stored.map((r) => [r?.deliveredTotal, r?.deliveredWithin24h, r?.deliveredWithin72h])).toEqual([[125, 95, 120], [60, null, null]]);
  });

  it('refuses a file whose header does not name the columns, and an unknown carrier', async () => {
    const env = { LOCKERGATE_DATA_DIR: tempDir() };
    await runCli(['seed', '--regions-only'], env);
    await runCli(['carrier', 'add', '--name', 'Beifang', '--id', 'car-bf'], env);
    const file = join(tempDir(), 'bad.csv');
    writeFileSync(file, 'region,date,total\n220102,2026-01-01,5\n');
    const res = await runCli(['import', 'volumes', file, '--carrier', 'car-bf'], env);
    expect([res.code, res.stderr]).toEqual([1, expect.stringContaining('line 1: the header must name the columns')]);
    const nobody = await runCli(['import', 'volumes', file, '--carrier', 'car-nobody'], env);
    expect(nobody.stderr).toContain('CARRIER_NOT_FOUND');
  });
});
