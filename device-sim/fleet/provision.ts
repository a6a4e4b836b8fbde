import type { GatewayApi } from '../api/gateway-api.js';
import { pick, seededRandom } from '../random.js';
import type { FleetFileT, FleetLockerT } from './fleet.js';
import { MAILBOX_BANK_LAYOUTS, SMART_LOCKER_LAYOUTS } from './layout.js';

/** Districts of Jilin Province (GB/T 2260) the simulator spreads its own sites over. */
export const JILIN_DISTRICTS = [
  { code: '220102', name: 'Nanguan' }, { code: '220103', name: 'Kuancheng' }, { code: '220104', name: 'Chaoyang' },
  { code: '220105', name: 'Erdao' }, { code: '220106', name: 'Lüyuan' }, { code: '220112', name: 'Shuangyang' },
  { code: '220202', name: 'Changyi' }, { code: '220203', name: 'Longtan' }, { code: '220204', name: 'Chuanying' },
  { code: '220302', name: 'Tiexi' }, { code: '220402', name: 'Longshan' }, { code: '220502', name: 'Dongchang' },
  { code: '220602', name: 'Hunjiang' }, { code: '220702', name: 'Ningjiang' }, { code: '220802', name: 'Taobei' },
  { code: '222401', name: 'Yanji' },
] as const;

export interface ProvisionRequest {
  api: GatewayApi;
  operatorToken: string;
  httpUrl: string;
  mqttUrls: string[];
  lockers: number;
  /** Share of mailbox banks among the lockers. */
  mailboxShare: number;
  /** Carriers to create (their API keys go into the fleet). */
  carriers: number;
  /** Prefix of every id (a few characters), so several simulator fleets can live in one gateway. */
  prefix: string;
  seed: number;
  concurrency: number;
  /** Reported every few hundred lockers. */
  progress?: (done: number) => void;
}

/**
 * Provisions a fleet through the operator API (README "HTTP API"): sites across Jilin's
 * districts (about eight lockers each), lockers with realistic layouts, one controller each
 * (POST /v1/lockers/:id/device returns its secret once), and carriers with their API keys.
 */
export async function provisionFleet(req: ProvisionRequest): Promise<FleetFileT> {
  const { api, operatorToken: token } = req;
  const random = seededRandom(req.seed, 'provision');
  const carrierKeys: string[] = [];
  for (let i = 0; i < req.carriers; i += 1) carrierKeys.push((await api.addCarrier(token, `${req.prefix} courier ${i + 1}`)).apiKey);
  const siteCount = Math.max(1, Math.ceil(req.lockers / 8));
  const sites: Array<{ id: string; regionCode: string }> = [];
  await pool(siteCount, req.concurrency, async (i) => {
    const d = JILIN_DISTRICTS[i % JILIN_DISTRICTS.length]!;
    const id = `${req.prefix}-s${i + 1}`;
    await api.createSite(token, { id, name: `${d.name} community ${i + 1}`, kind: 'residential', regionCode: d.code, address: `${i + 1} ${d.name} Road, Jilin` });
    sites[i] = { id, regionCode: d.code };
  });
  const lockers: FleetLockerT[] = new Array(req.lockers);
  let done = 0;
  await pool(req.lockers, req.concurrency, async (i) => {
    const site = sites[i % siteCount]!;
    const mailbox = random() < req.mailboxShare;
    const kind = mailbox ? 'mailbox_bank' : 'smart_locker';
    const layout = pick(random, mailbox ? MAILBOX_BANK_LAYOUTS : SMART_LOCKER_LAYOUTS);
    const lockerId = `${req.prefix}-l${i + 1}`;
    await api.createLocker(token, { id: lockerId, siteId: site.id, name: `${mailbox ? 'Mailbox bank' : 'Locker'} ${i + 1}`, kind, layout });
    const { deviceId, secret, codeKey } = await api.provisionDevice(token, lockerId, `${req.prefix}-d${i + 1}`.slice(0, 23));
    lockers[i] = { lockerId, deviceId, secret, ...(codeKey ? { codeKey } : {}), kind, layout, regionCode: site.regionCode };
    done += 1;
    if (done % 500 === 0) req.progress?.(done);
  });
  return { version: 1, gateway: { http: req.httpUrl, mqtt: req.mqttUrls }, carrierKeys, lockers };
}

async function pool(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await fn(next++);
  }));
}
