import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { SmsReceiver } from '../../device-sim/api/sms-receiver.js';
import type { FleetFileT, FleetLockerT } from '../../device-sim/fleet/fleet.js';
import { runOptions } from '../../device-sim/run/options.js';
import { Supervisor } from '../../device-sim/run/supervisor.js';
import { provisionDevice } from '../app/provisioning.js';
import { applySeed, seedLockerId } from '../app/reports/seed.js';
import { createHousehold } from '../app/households.js';
import { createOperatorToken } from '../app/tokens.js';
import { startDemoCarrierReports } from './carrier-reports.js';
import { defaultSeedsDir, loadSeedFiles } from '../cli/seed-files.js';
import { loadConfig } from '../config.js';
import { startGateway } from '../gateway.js';
import { createLogger } from '../logger.js';

/**
 * `npm run demo`, in steps: a fresh gateway (own data dir; :8080 and :1883 when free) whose
 * recipient webhook is the simulator's SMS receiver (the residents' phones); the Jilin seed
 * data (`lockergate seed`: regions, targets, carriers, 292 lockers incl. mailbox banks); a
 * controller provisioned for every seeded locker; then the device simulator in a worker process
 * running the day-in-the-life scenario accelerated (`--speed`, default 120: a day in 8 minutes),
 * day after day, with a few faults for the alarm views. Ctrl-C: oracle verdict, clean stop.
 */
const speed = Number(argValue('--speed') ?? 120);

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The preferred port when it is free on this host, else 0 (any free one). */
function portOr(preferred: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(preferred, host, () => probe.close(() => resolve(preferred)));
  });
}

async function main(): Promise<void> {
  if (!Number.isFinite(speed) || speed < 1) throw new Error('--speed must be a number ≥ 1');
  const dataDir = process.env['LOCKERGATE_DATA_DIR'] ?? `./data-demo/${Date.now()}`;
  mkdirSync(dataDir, { recursive: true });
  const host = '127.0.0.1';
  const smsSecret = randomBytes(18).toString('base64url');
  const sms = await SmsReceiver.start({ secret: smsSecret, host });
  const config = loadConfig({
    LOCKERGATE_LOG_LEVEL: 'info',
    LOCKERGATE_HTTP_PORT: String(await portOr(8080, '0.0.0.0')),
    LOCKERGATE_MQTT_PORT: String(await portOr(1883, '0.0.0.0')),
    // Hold times are an hour at this speed: remind a quarter of an hour before the end.
    LOCKERGATE_REMINDER_BEFORE_H: '0.25',
    ...process.env,
    LOCKERGATE_DATA_DIR: dataDir,
    LOCKERGATE_RECIPIENT_WEBHOOK_URL: sms.url,
    LOCKERGATE_RECIPIENT_WEBHOOK_SECRET: smsSecret,
  });
  // The terminal belongs to the banner and the status line; the gateway logs to a file.
  const logFile = join(dataDir, 'gateway.log');
  const gw = await startGateway({ config, log: createLogger(config.LOCKERGATE_LOG_LEVEL, pino.destination({ dest: logFile, sync: false })) });
  const { ctx } = gw;

  process.stderr.write('loading the Jilin seed data and provisioning a controller for every locker …\n');
  const seed = loadSeedFiles(defaultSeedsDir());
  const seeded = await applySeed(ctx, seed);
  const lockers: FleetLockerT[] = [];
  for (const site of seed.sites) {
    let n = 0;
    for (const group of site.lockers) {
      for (let i = 0; i < group.count; i += 1) {
        const lockerId = seedLockerId(site.id, (n += 1));
        const { device, secret, codeKey } = await provisionDevice(ctx, lockerId, 'demo');
        lockers.push({ lockerId, deviceId: device.id, secret, codeKey, kind: group.kind, layout: group.layout, regionCode: site.regionCode });
      }
    }
  }
  const { secret: token } = await createOperatorToken(ctx, 'demo operator', 'operator');
  // Households of the first few mailbox banks get their own compartment (protocol §13).
  const banks = lockers.filter((l) => l.kind === 'mailbox_bank');
  const households = [];
  for (const bank of banks.slice(0, 3)) households.push(await createHousehold(ctx, { lockerId: bank.lockerId, compartment: 1, label: 'Flat 101' }, 'demo'));
  // One smart locker whose network keeps going down: residents still collect there (offline codes).
  const offlineLocker = lockers.find((l) => l.kind === 'smart_locker');
  // Carriers' daily totals, so the dashboard's locker share has a denominator that moves too.
  const reportingCarrier = seed.carriers[0]?.id;
  const stopCarrierReports = reportingCarrier
    ? startDemoCarrierReports(ctx, reportingCarrier, [...new Set(seed.sites.map((site) => site.regionCode))])
    : () => undefined;
  const api = `http://127.0.0.1:${gw.httpPort}`;
  const fleet: FleetFileT = {
    version: 1,
    gateway: { http: api, mqtt: [`mqtt://127.0.0.1:${gw.mqttPort}`] },
    carrierKeys: seeded.newCarriers.map((c) => c.apiKey),
    lockers,
  };
  const mailboxBanks = lockers.filter((l) => l.kind === 'mailbox_bank').length;
  const supervisor = new Supervisor({
    fleet,
    options: runOptions({
      scenario: 'day', speed, days: 0, fill: 0.4, noShow: 0.05, appShare: 0.1, settleTimeoutS: 15,
      // Mailbox banks sleep and wake every 5 simulated minutes (protocol 1.1 §13).
      mailboxWakeS: 300,
      faults: {
        ...runOptions().faults, dropRate: 0.01, forceDoors: 0.002, jam: 0.002, sensorFaults: 0.001, leaveOpen: 0.01,
        outageLockers: offlineLocker ? [offlineLocker.lockerId] : [], outageEveryS: 120, outageForS: 60,
      },
    }),
    workers: 1,
    sourceIps: [],
    sms,
    token,
  });

  console.log(`
lockergate demo is running (data in ${dataDir})

  Dashboard:          ${api}/
  API docs (OpenAPI): ${api}/docs
  Operator token:     ${token}
  Carrier API key:    ${fleet.carrierKeys[0] ?? '(carriers existed already)'}   (${seeded.newCarriers[0]?.name ?? ''})
  MQTT:               mqtt://127.0.0.1:${gw.mqttPort}   (and ws://127.0.0.1:${gw.httpPort}/mqtt)
  Metrics:            ${api}/metrics
  Gateway log:        ${logFile}

${lockers.length} simulated controllers (${lockers.length - mailboxBanks} smart lockers, ${mailboxBanks} mailbox banks) across
Jilin run a day in the life ${speed}× accelerated: couriers deposit through the API in two waves,
residents collect at the keypads (or in the app) with the codes their phones got by SMS, a few
never come (their parcels expire after the 1 h hold and couriers retrieve them), and now and
then a door is forced, jams or is left open (alarms). A new day starts when one ends.

Offline operation (protocol 1.1): ${offlineLocker?.lockerId ?? '-'} loses its network for a minute every two
minutes — residents there still collect with their codes, checked by the controller itself, and
the gateway reconciles when it is back (see its "recentLocalOpens"). The ${mailboxBanks} mailbox banks sleep and
wake every 5 simulated minutes; ${households.length} households have their own compartment, e.g.
${households[0] ? `household ${households[0].household.id} in ${households[0].household.lockerId}: keypad code ${households[0].code}, app token ${households[0].appToken}` : '(none)'}

Try:
  curl -s -H 'Authorization: Bearer ${token}' ${api}/v1/lockers/${offlineLocker?.lockerId ?? lockers[0]?.lockerId ?? ''}
  curl -s -H 'Authorization: Bearer ${token}' ${api}/v1/lockers/${households[0]?.household.lockerId ?? ''}/households
  curl -s -H 'Authorization: Bearer ${token}' '${api}/v1/alarms?state=open'

Ctrl-C stops: the simulator compares what is physically in every compartment with the
gateway's view, prints the verdict, and everything shuts down.
`);

  let stopping = false;
  process.on('SIGINT', () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('\nstopping: the oracle compares the lockers with the gateway (Ctrl-C again to quit at once) …\n');
    supervisor.interrupt();
  });
  process.once('SIGTERM', () => supervisor.interrupt());
  const { summary } = await supervisor.run();
  const o = summary.oracle;
  console.log(`\n${summary.operations.deposits.done} deposits, ${summary.operations.pickups.done} pickups, ${summary.operations.retrievals.done} retrievals; ` +
    `oracle: ${o ? `${o.unexplained} unexplained and ${o.explained} explained mismatches over ${o.lockers} lockers and ${o.parcels} parcels` : 'not run'} (verdict ${summary.verdict})`);
  stopCarrierReports();
  await gw.close();
  await sms.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
