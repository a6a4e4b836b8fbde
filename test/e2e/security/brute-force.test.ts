import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { latestCode, smsEnv, startSmsInbox, type SmsInbox } from '../../helpers/inbox.js';
import { addCarrier, Courier, onlineLocker, residentPickup } from '../../helpers/parcels.js';
import { stopAllSims } from '../../helpers/sim.js';

/**
 * How many pickup-code guesses a locker evaluates in an hour with the default settings (5 wrong
 * codes in 10 minutes lock keypad and API for 15 minutes). The bound: the 5th failure inside
 * any 10-minute window locks the locker for longer than the window, so no 10-minute window
 * holds more than 5 evaluated guesses, i.e. at most 30 an hour. Each attacker below spreads its
 * guesses over one simulated hour (ManualClock) and we count, guess by guess, which were
 * evaluated and which were refused as locked out without looking at the code.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const CAP_PER_HOUR = 30;

let gw: TestGateway;
let sms: SmsInbox;

beforeAll(async () => {
  sms = await startSmsInbox();
  gw = await startTestGateway({ manualClock: true, env: smsEnv(sms) });
  sms.now = () => gw.clock!.now();
});
afterEach(async () => stopAllSims());
afterAll(async () => {
  await gw.stop();
  await sms.close();
});

type Channel = 'keypad' | 'api';
interface Attacker {
  name: string;
  /** Offsets of the guesses from the start of the hour, and the channel of each. */
  guesses: Array<{ at: number; channel: Channel }>;
  /** Whether this attacker trips the lockout (and so the alarm). */
  locks: boolean;
}

const every = (intervalMs: number, channel: (i: number) => Channel) =>
  Array.from({ length: Math.floor(HOUR / intervalMs) }, (_, i) => ({ at: i * intervalMs, channel: channel(i) }));

const ATTACKERS: Attacker[] = [
  { name: 'keypad, one guess every 30 s', guesses: every(30 * SECOND, () => 'keypad'), locks: true },
  { name: 'API from a new address each time, every 20 s', guesses: every(20 * SECOND, () => 'api'), locks: true },
  { name: 'keypad and API alternating, every 30 s', guesses: every(30 * SECOND, (i) => (i % 2 ? 'api' : 'keypad')), locks: true },
  // Stays just under the threshold: 4 guesses, then waits out the 10-minute window.
  { name: 'slow drip: 4 guesses per 10 min 1 s', guesses: Array.from({ length: 6 }, (_, w) => Array.from({ length: 4 }, () => ({ at: w * (10 * MINUTE + SECOND), channel: 'api' as const }))).flat(), locks: false },
];

let address = 0;
/** Guesses never equal the real code: a deterministic walk through the code space. */
function* wrongCodes(right: string): Generator<string> {
  for (let n = 104_729; ; n = (n + 7_919) % 1_000_000) {
    const c = String(n).padStart(6, '0');
    if (c !== right) yield c;
  }
}

describe('pickup-code brute force over one hour (default settings)', () => {
  for (const attacker of ATTACKERS) {
    it(`${attacker.name}: at most ${CAP_PER_HOUR} guesses evaluated, the right code refused while locked out`, async () => {
      const { fx, sim } = await onlineLocker(gw, 'S:1');
      const courier = new Courier(gw, await addCarrier(gw, fx.operatorToken));
      const parcel = await courier.depositParcel(sim, fx.lockerId);
      await gw.dispatchNotifications();
      const right = latestCode(sms, parcel.parcelId);

      const guess = async (code: string, channel: Channel): Promise<'evaluated' | 'locked_out' | 'opened'> => {
        if (channel === 'keypad') {
          const reply = await sim.typeCode(code);
          return reply.result === 'open' ? 'opened' : reply.reason === 'locked_out' ? 'locked_out' : 'evaluated';
        }
        // A new source address per guess: the per-client rate limit does not apply, only the locker's cap.
        const res = await residentPickup(gw, fx.lockerId, code, `198.51.${100 + Math.floor(address / 250)}.${address++ % 250}`);
        const errorCode = res.json().error?.code;
        if (res.statusCode < 300) return 'opened';
        expect(['PICKUP_CODE_INVALID', 'PICKUP_LOCKED_OUT']).toContain(errorCode);
        return errorCode === 'PICKUP_LOCKED_OUT' ? 'locked_out' : 'evaluated';
      };

      const start = gw.clock!.now();
      const codes = wrongCodes(right);
      const tally = { evaluated: 0, locked_out: 0, opened: 0 };
      let rightCodeTried = false;
      for (const g of attacker.guesses) {
        gw.clock!.set(start + g.at);
        const outcome = await guess(codes.next().value!, g.channel);
        tally[outcome]++;
        if (outcome === 'locked_out' && !rightCodeTried) {
          // The owner (or a lucky attacker) types the right code while the locker is locked.
          rightCodeTried = true;
          expect(await guess(right, 'keypad')).toBe('locked_out');
          expect(await guess(right, 'api')).toBe('locked_out');
        }
      }

      const failuresRecorded = await gw.ctx.store.read((tx) => tx.codes.failuresSince(fx.lockerId, start));
      const all = await gw.ctx.store.read((tx) => tx.alarms.list({ lockerId: fx.lockerId, limit: 50 }));
      const alarms = all.filter((a) => a.kind === 'keypad_lockout');
      const guessing = all.filter((a) => a.kind === 'code_guessing');
      // Shown in the test output: the figure the README quotes.
      console.log(`brute force, ${attacker.name}: ${attacker.guesses.length} guesses, ${tally.evaluated} evaluated, ${tally.locked_out} refused as locked out, ${alarms.length} lockout alarm(s), ${guessing.length} code_guessing alarm(s)`);
      expect(tally.opened).toBe(0);
      expect(tally.evaluated).toBeLessThanOrEqual(CAP_PER_HOUR);
      expect(failuresRecorded).toBe(tally.evaluated);
      expect(rightCodeTried).toBe(attacker.locks);
      if (attacker.locks) {
        expect(tally.evaluated).toBeGreaterThanOrEqual(15); // the cap was reached, not avoided by a slow attacker
        expect(alarms.length).toBeGreaterThanOrEqual(1);
        expect(alarms[0]?.details).toMatchObject({ failures: 5 });
      }
      // Even the patient attacker who never trips the lockout (24 evaluated guesses an hour) is seen:
      // 12 wrong codes within an hour raise code_guessing (LOCKERGATE_CODE_GUESSING_ALARM_PER_HOUR).
      expect(guessing).toHaveLength(1);
      expect((guessing[0]?.details as { failuresLastHour: number }).failuresLastHour).toBeGreaterThanOrEqual(12);
      expect((await courier.getParcel(parcel.parcelId)).json().parcel.state).toBe('deposited');
    });
  }
});
