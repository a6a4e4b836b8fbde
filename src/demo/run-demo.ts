import { mkdirSync } from 'node:fs';
import { SimController } from '../../device-sim/index.js';
import { issueCommand } from '../app/commands.js';
import { createLocker, createSite, provisionDevice } from '../app/provisioning.js';
import { createOperatorToken } from '../app/tokens.js';
import { loadConfig } from '../config.js';
import { startGateway } from '../gateway.js';
import { createLogger } from '../logger.js';

/**
 * The demo: a fresh gateway (its own data dir), a few sites and lockers in Changchun, one
 * simulated controller per locker, and a little activity (maintenance opens, a forced door)
 * so the API shows live state. Ctrl-C stops everything.
 */
const LOCKERS = [
  { site: 'Nanguan Garden', region: '220102', layout: 'S:8,M:10,L:6' },
  { site: 'Jilin University Front Campus', region: '220104', layout: 'S:12,M:8,L:4' },
  { site: 'Jingyue Office Park', region: '220172', layout: 'XS:6,S:6,M:6,L:2' },
  { site: 'Kuancheng Service Point', region: '220103', layout: 'S:4,M:4,L:4,XL:2' },
  { site: 'Chaoyang Apartments', region: '220104', layout: 'S:8,M:8' },
];

async function main(): Promise<void> {
  const dataDir = process.env['LOCKERGATE_DATA_DIR'] ?? `./data-demo/${Date.now()}`;
  mkdirSync(dataDir, { recursive: true });
  const config = loadConfig({ LOCKERGATE_LOG_LEVEL: 'warn', ...process.env, LOCKERGATE_DATA_DIR: dataDir });
  const log = createLogger(config.LOCKERGATE_LOG_LEVEL);
  const gw = await startGateway({ config, log });
  const { ctx } = gw;

  const sims: SimController[] = [];
  const lockerIds: string[] = [];
  for (const [i, l] of LOCKERS.entries()) {
    const site = await createSite(ctx, { name: l.site, kind: 'residential', regionCode: l.region, address: `${l.site}, Changchun` }, 'demo');
    const { locker, compartments } = await createLocker(ctx, { siteId: site.id, name: `${l.site} A`, kind: 'smart_locker', layout: l.layout, id: `lkr-demo-${i + 1}` }, 'demo');
    const { device, secret } = await provisionDevice(ctx, locker.id, 'demo');
    const sim = new SimController({
      url: `mqtt://127.0.0.1:${gw.mqttPort}`,
      deviceId: device.id,
      secret,
      compartments: compartments.map((c) => ({ size: c.size })),
      openDelayMs: 400,
    });
    await sim.start();
    sims.push(sim);
    lockerIds.push(locker.id);
  }
  const { secret: token } = await createOperatorToken(ctx, 'demo operator', 'operator');
  const api = `http://127.0.0.1:${gw.httpPort}`;
  console.log(`
lockergate demo is running (data in ${dataDir})
  API docs (OpenAPI):  ${api}/docs
  MQTT:                mqtt://127.0.0.1:${gw.mqttPort}   (and ws://127.0.0.1:${gw.httpPort}/mqtt)
  Metrics:             ${api}/metrics
  Operator token:      ${token}

Try:
  curl -s -H 'Authorization: Bearer ${token}' ${api}/v1/lockers
  curl -s -H 'Authorization: Bearer ${token}' ${api}/v1/lockers/lkr-demo-1
  curl -s -X POST -H 'Authorization: Bearer ${token}' ${api}/v1/lockers/lkr-demo-1/compartments/3/open
  curl -s -H 'Authorization: Bearer ${token}' '${api}/v1/alarms?state=open'

${sims.length} simulated lockers are online; every few seconds one opens a compartment on command
and closes it again, and now and then someone forces a door (an alarm). Ctrl-C to stop.
`);

  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    const i = tick % sims.length;
    const sim = sims[i]!;
    const compartment = 1 + (tick % 8);
    if (tick % 7 === 0) {
      sim.forceOpen(compartment);
      setTimeout(() => sim.closeDoor(compartment), 3000);
      return;
    }
    issueCommand(ctx, { lockerId: lockerIds[i]!, type: 'open', params: { compartment }, actor: 'demo' })
      .then(() => setTimeout(() => sim.closeDoor(compartment), 2500))
      .catch((err: unknown) => log.error({ err }, 'demo command failed'));
  }, 3000);

  const stop = async () => {
    clearInterval(timer);
    for (const s of sims) await s.stop().catch(() => undefined);
    await gw.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
