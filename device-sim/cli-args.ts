import { parseArgs } from 'node:util';
import { NO_FAULTS, type FaultOptions } from './run/faults.js';
import { DEFAULT_OPTIONS as D, SCENARIOS, type RunOptions, type ScenarioName } from './run/options.js';

export const USAGE = `lockergate-sim — simulated locker controllers, couriers and residents for a lockergate gateway

Fleet (one of):
  --fleet FILE                 lockers, device secrets, carrier keys, gateway URLs (device-sim/README.md)
  --provision N --operator-token T
                               create N lockers (sites across Jilin, ~15 % mailbox banks), their
                               controllers and --carriers carriers through the operator API first
      [--mailbox-share F] [--carriers N] [--prefix P] [--save-fleet FILE]

Gateway:
  --http URL                   HTTP API (default: the fleet's, else http://127.0.0.1:8080)
  --mqtt URL[,URL…]            MQTT listeners, controllers spread round-robin (default: the fleet's,
                               else mqtt://127.0.0.1:1883)
  --token T                    operator/viewer token for the oracle (default: --operator-token)

Scenario:
  --scenario NAME              idle | steady | day | storm | chaos (default steady)
  --seed N                     reproducible choices (default 1)
  --speed N                    simulated time runs N× faster (default 1; day: 60)
  --rate N                     steady: deposits per second over the fleet (default 2)
  --duration S                 idle/steady/storm/chaos: seconds (default 60; 0 = until Ctrl-C)
  --days N                     day: simulated days (default 1; 0 = until Ctrl-C)
  --start-hour H --fill F      day: start of the day (7), share of compartments filled per day (0.5)
  --no-show F                  recipients who never come; their parcels expire and are retrieved (0.05)
  --app-share F                pickups through the app instead of the keypad (0.1)
  --hold-hours H               hold time of deposits (default: 48 h of simulated time, at least 1)
  --dwell MIN-MAX              steady: simulated seconds from code to pickup (default 20-120)

Scale:
  --workers N|auto             simulator processes (auto: one per 5,000 controllers; 0 = in this process)
  --source-ips LIST|auto|none  loopback source addresses, e.g. 127.0.0.2,127.0.0.3 (auto: one per
                               5,000 controllers when the gateway is on loopback)
  --engine raw|mqttjs          raw: mqtt-packet over plain sockets (default); mqttjs: one mqtt.js client each
  --keepalive S --telemetry S  MQTT keepalive (60) and telemetry period (300)
  --connect-concurrency N      connection attempts in flight per process (200)
  --mailbox-wake-s S           mailbox banks run sleepy (protocol 1.1 §13), waking every S simulated
                               seconds, 10-86400 (default 0: they stay connected; the demo uses 300)

Faults (probabilities; combinable):
  --drop-rate R                connection drops per controller per minute (a rate, e.g. 0.01)
  --storm-every S              every S seconds --storm-fraction F (0.3) of the fleet drops at once
  --duplicate P --reorder P    per message: delivered twice / overtaken by the next one
  --lose-acks P --late-acks P  per ack: lost / sent --late-ack-ms (12000) late
  --stale-commands P           per open command: it arrives after its expiry
  --jam P --sensor-faults P    per operation: a latch jams / an occupancy sensor dies
  --leave-open P               per operation: the door is left open --left-open-s (150) seconds
  --force-doors P              per operation: a door is forced (half the time the parcel is taken)
  --power-loss P               per operation: power fails right after the door opened
  --faults all[=P]             every fault above at P (default 0.02)

Residents' phones (SMS provider webhook):
  --sms-listen HOST:PORT       where pickup codes arrive (default 127.0.0.1:0); point the gateway's
                               LOCKERGATE_RECIPIENT_WEBHOOK_URL at http://HOST:PORT/sms
  --sms-secret S               its signing secret (default: $LOCKERGATE_RECIPIENT_WEBHOOK_SECRET)

Output:
  --summary FILE               final JSON summary to FILE instead of stdout
  --status / --no-status       live status line on stderr (default: when stderr is a terminal)
  --no-oracle                  skip the comparison with the gateway at the end
  --settle-timeout S           wait for operations in progress before the oracle looks (60)

Signals: Ctrl-C ends the run (oracle, summary); a second Ctrl-C exits at once.
         SIGUSR2 runs the oracle now and prints its verdict on stderr.
Exit code: 0 ok, 1 unexplained mismatches (or the run did not settle), 2 error.`;

export interface CliConfig {
  fleetFile?: string;
  provision?: { lockers: number; mailboxShare: number; carriers: number; prefix: string; saveFleet?: string };
  operatorToken?: string;
  token?: string;
  http?: string;
  mqtt?: string[];
  workers: number | 'auto';
  sourceIps: string[] | 'auto';
  sms: { host: string; port: number; secret: string | undefined };
  summaryFile?: string;
  status?: boolean;
  options: RunOptions;
}

const num = (v: string | undefined, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}, not "${v}"`);
  return n;
};
const prob = (v: string | undefined, name: string, fallback = 0): number => num(v, name, fallback, 0, 1);
/** 0 (always connected) or a wake interval the hello can carry (StatusOnline.wakeIntervalS: 10-86400 s). */
const mailboxWake = (s: number): number => {
  if (s !== 0 && (s < 10 || !Number.isInteger(s))) throw new Error(`--mailbox-wake-s must be 0 or a whole number of seconds from 10 to 86400, not ${s}`);
  return s;
};

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliConfig | 'help' {
  const strings = [
    'fleet', 'provision', 'operator-token', 'token', 'http', 'mqtt', 'mailbox-share', 'carriers', 'prefix', 'save-fleet',
    'scenario', 'seed', 'speed', 'rate', 'duration', 'days', 'start-hour', 'fill', 'no-show', 'app-share', 'hold-hours', 'dwell',
    'workers', 'source-ips', 'engine', 'keepalive', 'telemetry', 'connect-concurrency', 'backoff-scale', 'mailbox-wake-s',
    'drop-rate', 'storm-every', 'storm-fraction', 'duplicate', 'reorder', 'lose-acks', 'late-acks', 'late-ack-ms', 'stale-commands',
    'jam', 'sensor-faults', 'leave-open', 'left-open-s', 'force-doors', 'power-loss', 'faults',
    'sms-listen', 'sms-secret', 'summary', 'settle-timeout', 'max-in-flight', 'retrieve-poll', 'open-delay-ms', 'jam-window-ms',
  ] as const;
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...Object.fromEntries(strings.map((s) => [s, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h' },
      status: { type: 'boolean' },
      'no-status': { type: 'boolean' },
      'no-oracle': { type: 'boolean' },
    },
  });
  const s = v as Record<string, string | undefined>;
  if (v.help) return 'help';
  if (!s['fleet'] && !s['provision']) throw new Error('give a fleet: --fleet FILE, or --provision N --operator-token T');
  if (s['provision'] && !s['operator-token']) throw new Error('--provision needs --operator-token (an operator token: lockergate token create --role operator)');
  const scenario = (s['scenario'] ?? 'steady') as ScenarioName;
  if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}`);
  const faults = parseFaults(s, scenario);
  const [dwellMin, dwellMax] = (s['dwell'] ?? '20-120').split('-').map(Number);
  if (!Number.isFinite(dwellMin) || !Number.isFinite(dwellMax) || dwellMin! < 0 || dwellMax! < dwellMin!) throw new Error('--dwell must be MIN-MAX in seconds, e.g. 20-120');
  const [smsHost, smsPort] = (s['sms-listen'] ?? '127.0.0.1:0').split(':');
  const engine = s['engine'] ?? 'raw';
  if (engine !== 'raw' && engine !== 'mqttjs') throw new Error('--engine must be raw or mqttjs');
  const options: RunOptions = {
    scenario,
    seed: num(s['seed'], 'seed', D.seed),
    speed: num(s['speed'], 'speed', scenario === 'day' ? 60 : D.speed, 0.01, 100_000),
    rate: num(s['rate'], 'rate', D.rate, 0, 100_000),
    durationS: num(s['duration'], 'duration', D.durationS),
    days: num(s['days'], 'days', D.days),
    startHour: num(s['start-hour'], 'start-hour', D.startHour, 0, 22),
    fill: num(s['fill'], 'fill', D.fill, 0, 1),
    noShow: prob(s['no-show'], 'no-show', D.noShow),
    appShare: prob(s['app-share'], 'app-share', D.appShare),
    holdHours: s['hold-hours'] === undefined ? D.holdHours : num(s['hold-hours'], 'hold-hours', 1, 1, 720),
    dwellS: [dwellMin!, dwellMax!],
    engine,
    keepaliveS: num(s['keepalive'], 'keepalive', D.keepaliveS, 1, 65_535),
    telemetryS: num(s['telemetry'], 'telemetry', D.telemetryS, 1),
    connectConcurrency: num(s['connect-concurrency'], 'connect-concurrency', D.connectConcurrency, 1),
    mailboxWakeS: mailboxWake(num(s['mailbox-wake-s'], 'mailbox-wake-s', D.mailboxWakeS, 0, 86_400)),
    backoffScale: num(s['backoff-scale'], 'backoff-scale', D.backoffScale, 0.001, 100),
    openDelayMs: num(s['open-delay-ms'], 'open-delay-ms', D.openDelayMs, 0),
    jamWindowMs: num(s['jam-window-ms'], 'jam-window-ms', D.jamWindowMs, 1),
    faults,
    oracle: !v['no-oracle'],
    settleTimeoutS: num(s['settle-timeout'], 'settle-timeout', D.settleTimeoutS, 1),
    maxInFlight: num(s['max-in-flight'], 'max-in-flight', D.maxInFlight, 1),
    retrievePollS: num(s['retrieve-poll'], 'retrieve-poll', D.retrievePollS, 0.1),
    httpSockets: D.httpSockets,
  };

  return {
    ...(s['fleet'] ? { fleetFile: s['fleet'] } : {}),
    ...(s['provision'] ? {
      provision: {
        lockers: num(s['provision'], 'provision', 0, 1, 1_000_000),
        mailboxShare: prob(s['mailbox-share'], 'mailbox-share', 0.15),
        carriers: num(s['carriers'], 'carriers', 2, 1, 50),
        prefix: s['prefix'] ?? `sim${Date.now().toString(36).slice(-5)}`,
        ...(s['save-fleet'] ? { saveFleet: s['save-fleet'] } : {}),
      },
    } : {}),
    ...(s['operator-token'] ? { operatorToken: s['operator-token'] } : {}),
    ...(s['token'] ?? s['operator-token'] ? { token: (s['token'] ?? s['operator-token'])! } : {}),
    ...(s['http'] ? { http: s['http'] } : {}),
    ...(s['mqtt'] ? { mqtt: s['mqtt'].split(',').map((u) => u.trim()).filter(Boolean) } : {}),
    workers: s['workers'] === undefined || s['workers'] === 'auto' ? 'auto' : num(s['workers'], 'workers', 0, 0, 256),
    sourceIps: s['source-ips'] === undefined || s['source-ips'] === 'auto' ? 'auto' : s['source-ips'] === 'none' ? [] : s['source-ips'].split(',').map((x) => x.trim()),
    sms: { host: smsHost || '127.0.0.1', port: num(smsPort, 'sms-listen port', 0, 0, 65535), secret: s['sms-secret'] ?? env['LOCKERGATE_RECIPIENT_WEBHOOK_SECRET'] },
    ...(s['summary'] ? { summaryFile: s['summary'] } : {}),
    ...(v.status ? { status: true } : v['no-status'] ? { status: false } : {}),
    options,
  };
}

/** Fault flags, on top of the scenario's preset (storm: reconnect storms; chaos: every fault). */
function parseFaults(s: Record<string, string | undefined>, scenario: ScenarioName): FaultOptions {
  const f: FaultOptions = { ...NO_FAULTS };
  if (scenario === 'storm') Object.assign(f, { stormEveryS: 20, stormFraction: 0.5, dropRate: 0.02 });
  const all = s['faults'];
  if (scenario === 'chaos' || all !== undefined) {
    const m = /^all(?:=(.+))?$/.exec(all ?? 'all');
    if (!m) throw new Error('--faults takes all or all=P');
    const p = prob(m[1], 'faults', 0.02);
    Object.assign(f, { dropRate: p, stormEveryS: 60, duplicate: p, reorder: p / 4, loseAcks: p, lateAcks: p, staleCommands: p, jam: p, sensorFaults: p, leaveOpen: p, forceDoors: p, powerLoss: p });
  }
  const set = <K extends keyof FaultOptions>(key: K, flag: string, value: (x: string) => FaultOptions[K]): void => {
    const x = s[flag];
    if (x !== undefined) f[key] = value(x);
  };
  set('dropRate', 'drop-rate', (x) => num(x, 'drop-rate', 0, 0, 600));
  set('stormEveryS', 'storm-every', (x) => num(x, 'storm-every', 0));
  set('stormFraction', 'storm-fraction', (x) => prob(x, 'storm-fraction'));
  set('duplicate', 'duplicate', (x) => prob(x, 'duplicate'));
  set('reorder', 'reorder', (x) => prob(x, 'reorder'));
  set('loseAcks', 'lose-acks', (x) => prob(x, 'lose-acks'));
  set('lateAcks', 'late-acks', (x) => prob(x, 'late-acks'));
  set('lateAckMs', 'late-ack-ms', (x) => num(x, 'late-ack-ms', 12_000));
  set('staleCommands', 'stale-commands', (x) => prob(x, 'stale-commands'));
  set('jam', 'jam', (x) => prob(x, 'jam'));
  set('sensorFaults', 'sensor-faults', (x) => prob(x, 'sensor-faults'));
  set('leaveOpen', 'leave-open', (x) => prob(x, 'leave-open'));
  set('leftOpenS', 'left-open-s', (x) => num(x, 'left-open-s', 150));
  set('forceDoors', 'force-doors', (x) => prob(x, 'force-doors'));
  set('powerLoss', 'power-loss', (x) => prob(x, 'power-loss'));
  return f;
}
