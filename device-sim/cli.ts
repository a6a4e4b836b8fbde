#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GatewayApi } from './api/gateway-api.js';
import { SmsReceiver } from './api/sms-receiver.js';
import { parseCli, USAGE, type CliConfig } from './cli-args.js';
import { readFleet, writeFleet, type FleetFileT } from './fleet/fleet.js';
import { provisionFleet } from './fleet/provision.js';
import { Supervisor } from './run/supervisor.js';

const PER_WORKER = 5000;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Worker processes for a fleet: in this process for small fleets, else one per 5,000 controllers. */
export function autoWorkers(lockers: number): number {
  return lockers <= 500 ? 0 : Math.ceil(lockers / PER_WORKER);
}

/**
 * Loopback source addresses, one per 5,000 controllers, when the gateway is on this machine
 * (Linux routes all of 127.0.0.0/8 to lo): each address has its own ephemeral ports and its own
 * share of the gateway's per-IP connection rate.
 */
export function autoSourceIps(lockers: number, mqttUrls: readonly string[]): string[] {
  const loopback = mqttUrls.every((u) => /^(127\.|localhost$)/.test(new URL(u).hostname));
  if (!loopback || process.platform !== 'linux' || lockers <= PER_WORKER) return [];
  return Array.from({ length: Math.ceil(lockers / PER_WORKER) }, (_, i) => `127.0.0.${i + 2}`);
}

async function loadFleet(cfg: CliConfig): Promise<FleetFileT> {
  const http = cfg.http ?? 'http://127.0.0.1:8080';
  const mqtt = cfg.mqtt ?? ['mqtt://127.0.0.1:1883'];
  if (cfg.fleetFile) {
    const fleet = readFleet(cfg.fleetFile);
    return { ...fleet, gateway: { http: cfg.http ?? fleet.gateway.http, mqtt: cfg.mqtt ?? fleet.gateway.mqtt } };
  }
  const p = cfg.provision!;
  const api = new GatewayApi(http, 64);
  const started = Date.now();
  log(`provisioning ${p.lockers} lockers through ${http} (prefix ${p.prefix}) …`);
  try {
    const fleet = await provisionFleet({
      api, operatorToken: cfg.operatorToken!, httpUrl: http, mqttUrls: mqtt, lockers: p.lockers, mailboxShare: p.mailboxShare,
      carriers: p.carriers, prefix: p.prefix, seed: cfg.options.seed, concurrency: 32, progress: (n) => log(`  ${n} lockers provisioned`),
    });
    log(`provisioned ${p.lockers} lockers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (p.saveFleet) {
      writeFleet(p.saveFleet, fleet);
      log(`fleet saved to ${p.saveFleet} (contains device secrets: mode 0600)`);
    }
    return fleet;
  } finally {
    api.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  let cfg: CliConfig | 'help';
  try {
    cfg = parseCli(argv);
  } catch (err) {
    log(`lockergate-sim: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (cfg === 'help') {
    console.log(USAGE);
    return 0;
  }
  const secret = cfg.sms.secret ?? randomBytes(18).toString('base64url');
  const sms = await SmsReceiver.start({ secret, host: cfg.sms.host, port: cfg.sms.port });
  log(`pickup codes (SMS) are received at ${sms.url}${cfg.sms.secret ? '' : ` — start the gateway with LOCKERGATE_RECIPIENT_WEBHOOK_URL=${sms.url} LOCKERGATE_RECIPIENT_WEBHOOK_SECRET=${secret}`}`);
  try {
    const fleet = await loadFleet(cfg);
    if (fleet.carrierKeys.length === 0 && cfg.options.scenario !== 'idle') throw new Error('the fleet has no carrier keys: couriers cannot deposit (use --scenario idle, or add carrierKeys)');
    const workers = cfg.workers === 'auto' ? autoWorkers(fleet.lockers.length) : cfg.workers;
    if (cfg.fleetFile && !cfg.token) log('no --token: the simulator assumes the lockers start empty, and the oracle checks parcels only');
    const sourceIps = cfg.sourceIps === 'auto' ? autoSourceIps(fleet.lockers.length, fleet.gateway.mqtt) : cfg.sourceIps;
    const supervisor = new Supervisor({
      fleet, options: cfg.options, workers, sourceIps, sms, token: cfg.token, log,
      // A fleet file may have been used before: start from what the gateway believes is inside.
      adopt: cfg.fleetFile !== undefined,
      ...(cfg.status !== undefined ? { statusLine: cfg.status } : {}),
    });
    let interrupts = 0;
    process.on('SIGINT', () => {
      interrupts += 1;
      if (interrupts > 1) process.exit(130);
      log('\nstopping: letting operations finish, then the oracle (Ctrl-C again to quit at once)');
      supervisor.interrupt();
    });
    process.on('SIGUSR2', () => {
      void supervisor.check().then((r) => r && log(`\noracle: ${r.unexplained} unexplained, ${r.explained} explained mismatches (${r.lockers} lockers, ${r.parcels} parcels)${r.mismatches.slice(0, 20).map((m) => `\n  ${m.kind} ${m.lockerId}${m.compartment ? `/${m.compartment}` : ''}: gateway ${m.gateway}, truth ${m.truth}${m.explainedBy.length ? ` (explained by ${m.explainedBy.join(', ')})` : ''}`).join('')}`));
    });
    // Printed once the signal handlers are in place (stderr on a pipe is synchronous).
    log(`${fleet.lockers.length} controllers, scenario ${cfg.options.scenario}, ${workers === 0 ? 'in this process' : `${workers} worker processes`}${sourceIps.length ? `, from ${sourceIps.join(', ')}` : ''}`);
    const { summary, exitCode } = await supervisor.run();
    const json = `${JSON.stringify(summary, null, 2)}\n`;
    if (cfg.summaryFile) {
      writeFileSync(cfg.summaryFile, json);
      log(`summary written to ${cfg.summaryFile}: verdict ${summary.verdict}`);
    } else {
      process.stdout.write(json);
    }
    return exitCode;
  } finally {
    await sms.close();
  }
}

// Run when executed (directly or through the npm bin link), not when imported by tests.
const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invoked === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      log(`lockergate-sim: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
