import { describe, expect, it } from 'vitest';
import { parseCli, type CliConfig } from '../../device-sim/cli-args.js';
import { autoSourceIps, autoWorkers } from '../../device-sim/cli.js';

const parse = (args: string) => parseCli(args.split(' ').filter(Boolean), {}) as CliConfig;

describe('lockergate-sim arguments', () => {
  it('needs a fleet: a file, or provisioning with an operator token', () => {
    expect(() => parse('--scenario day')).toThrow(/--fleet FILE, or --provision/);
    expect(() => parse('--provision 10')).toThrow(/--operator-token/);
    expect(parse('--provision 10 --operator-token lgo_x')).toMatchObject({ provision: { lockers: 10, carriers: 2 }, token: 'lgo_x' });
  });

  it('day runs 60× by default; steady at 1×', () => {
    expect(parse('--fleet f.json --scenario day').options).toMatchObject({ scenario: 'day', speed: 60, days: 1 });
    expect(parse('--fleet f.json').options).toMatchObject({ scenario: 'steady', speed: 1, rate: 2 });
  });

  it('combines fault flags; presets give storms (storm) or everything (chaos, --faults all=P)', () => {
    const f = parse('--fleet f.json --jam 0.1 --power-loss 0.2 --drop-rate 3 --seed 42');
    expect(f.options.seed).toBe(42);
    expect(f.options.faults).toMatchObject({ jam: 0.1, powerLoss: 0.2, dropRate: 3, duplicate: 0 });
    expect(parse('--fleet f.json --scenario storm').options.faults).toMatchObject({ stormEveryS: 20, stormFraction: 0.5 });
    const all = parse('--fleet f.json --faults all=0.05 --jam 0').options.faults;
    expect(all).toMatchObject({ duplicate: 0.05, staleCommands: 0.05, forceDoors: 0.05, jam: 0 });
  });

  it('refuses nonsense with the flag named', () => {
    expect(() => parse('--fleet f.json --jam 2')).toThrow(/--jam must be a number from 0 to 1/);
    expect(() => parse('--fleet f.json --scenario rush')).toThrow(/--scenario must be one of/);
    expect(() => parse('--fleet f.json --dwell 9-3')).toThrow(/--dwell/);
  });

  it('--mailbox-wake-s makes mailbox banks sleepy (0 = always connected, else 10-86400 s)', () => {
    expect(parse('--fleet f.json').options.mailboxWakeS).toBe(0);
    expect(parse('--fleet f.json --mailbox-wake-s 300').options.mailboxWakeS).toBe(300);
    expect(() => parse('--fleet f.json --mailbox-wake-s 5')).toThrow(/--mailbox-wake-s must be 0 or/);
    expect(() => parse('--fleet f.json --mailbox-wake-s 90000')).toThrow(/--mailbox-wake-s must be a number from 0 to 86400/);
  });

  it('spreads big fleets over worker processes of ≤ 5,000 and loopback source addresses', () => {
    expect([autoWorkers(300), autoWorkers(2000), autoWorkers(19_000), autoWorkers(100_000)]).toEqual([0, 1, 4, 20]);
    expect(autoSourceIps(19_000, ['mqtt://127.0.0.1:1883'])).toEqual(process.platform === 'linux' ? ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'] : []);
    expect(autoSourceIps(19_000, ['mqtt://gateway.example:1883'])).toEqual([]);
    expect(autoSourceIps(3000, ['mqtt://127.0.0.1:1883'])).toEqual([]);
  });
});
