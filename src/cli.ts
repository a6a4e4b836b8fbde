#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { runAdminCommand } from './cli/commands.js';
import { runReportCommand } from './cli/report-commands.js';
import { backupDataDir } from './cli/backup.js';
import { serve } from './main.js';
import { isLockergateError, LockergateError } from './domain/errors.js';

const HELP = `lockergate — smart parcel locker gateway

Usage:
  lockergate serve                                   start HTTP (:8080) and MQTT (:1883)
  lockergate site add --name N --region 220102 [--kind residential] [--address A] [--id ID]
  lockergate locker add --site S --name N --layout "S:8,M:10,L:6" [--kind smart_locker|mailbox_bank] [--id ID]
  lockergate locker list [--site S]
  lockergate device provision <lockerId> [--id ID]   prints the device id and secret once
  lockergate device rotate <deviceId>
  lockergate device revoke <deviceId>
  lockergate carrier add --name N [--webhook URL] [--id ID]  prints the API key once
  lockergate carrier quota --carrier C --locker L --max N|none
  lockergate token create --role operator|viewer [--name N]
  lockergate token list | token revoke <id>
  lockergate seed [--regions-only] [--dir seeds]        load the Jilin demo data set (idempotent); prints new carriers' API keys once
  lockergate import volumes <file.csv> --carrier C    carriers' delivered totals (regionCode,date,deliveredTotal,deliveredWithin24h,deliveredWithin72h)
  lockergate backup <file>                           online copy of the database (+ <file>.keys.json) while the gateway runs;
                                                     restore: stop, copy both back into the data dir, start (deploy/README.md)

Add --json for machine-readable output. Settings come from LOCKERGATE_* environment
variables (deploy/lockergate.env.example); data lives in LOCKERGATE_DATA_DIR (./data).`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  if (command === 'serve') {
    await serve(config);
    return 0;
  }
  if (command === 'seed' || command === 'import') {
    const progress = process.stderr.isTTY ? (line: string) => void process.stderr.write(`\r\x1b[K${line}`) : undefined;
    return runReportCommand(config, argv, { out: (line) => console.log(line), err: (line) => console.error(line), progress });
  }
  if (command === 'backup') {
    const [, target, ...extra] = argv.filter((a) => a !== '--json');
    if (!target || extra.length > 0) throw new LockergateError('VALIDATION_FAILED', 'usage: lockergate backup <file>');
    const r = await backupDataDir(config, target);
    console.log(argv.includes('--json') ? JSON.stringify(r) : `backed up ${r.bytes} bytes to ${r.database}${r.keys ? ` and keys to ${r.keys}` : ''} in ${r.ms} ms`);
    return 0;
  }
  await runAdminCommand(config, argv, (line) => console.log(line));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(err.message);
    else if (isLockergateError(err)) console.error(`error ${err.code}: ${err.message}`);
    else console.error(err);
    process.exitCode = 1;
  },
);
