/**
 * Protocol v1.1 offline codes (README §12) in the simulator, against a bare broker: code_sync
 * deltas and full sets, out_of_sync, offline keypad opens that queue local_open + door events
 * and replay them before the snapshot, expiry, single use, household codes, offline lockout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CodeEntryT } from '../../protocol/index.js';
import { OFFLINE_LOCKOUT, type SimController } from '../../device-sim/index.js';
import { command, on, type Observer } from './helpers.js';
import { useRig } from './fixture.js';

const { rig, teardown } = useRig();
afterEach(teardown);

const CODE_KEY = '5a'.repeat(32);
const DAY = 86_400_000;

/** A clock the test moves (expiry, lockout); timers stay real. */
function movableClock(): { now(): number; advance(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}

function entry(sim: SimController, code: string, compartment: number, kind: CodeEntryT['kind'] = 'pickup', expiresAt?: number): CodeEntryT {
  const h = sim.codeHash(code);
  if (h === null) throw new Error('controller has no code key');
  return { h, compartment, kind, ...(kind === 'pickup' ? { expiresAt: expiresAt ?? Date.now() + DAY } : {}) };
}

async function ackOf(gw: Observer, deviceId: string, cmd: ReturnType<typeof command>): Promise<Record<string, unknown>> {
  const mark = gw.mark();
  await gw.send(deviceId, cmd);
  return (await gw.next(on.ack(cmd.id), mark)).json ?? {};
}

describe('code_sync (README §12.3)', () => {
  it('hello carries codeVersion 0; a delta from 0 is applied, a resend is a duplicate, a wrong fromVersion is out_of_sync', async () => {
    const { gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY });
    await boot();
    const hello = await gw.next(on.status('online'));
    expect(hello.json).toMatchObject({ protocol: '1.1', codeVersion: 0 });
    expect(hello.json).not.toHaveProperty('wakeIntervalS');

    const delta = command('code_sync', { mode: 'delta', fromVersion: 0, version: 1, add: [entry(sim, '482913', 1), entry(sim, '111111', 2)], revoke: [] });
    expect(await ackOf(gw, deviceId, delta)).toMatchObject({ status: 'accepted' });
    expect([sim.codeVersion, sim.codeCount]).toEqual([1, 2]);
    expect(await ackOf(gw, deviceId, delta)).toMatchObject({ status: 'accepted', duplicate: true });
    expect([sim.codeVersion, sim.codeCount]).toEqual([1, 2]);

    const stale = command('code_sync', { mode: 'delta', fromVersion: 0, version: 2, add: [], revoke: [entry(sim, '482913', 1).h] });
    expect(await ackOf(gw, deviceId, stale)).toMatchObject({ status: 'rejected', reason: 'out_of_sync' });
    expect([sim.codeVersion, sim.codeCount]).toEqual([1, 2]);

    const revoke = command('code_sync', { mode: 'delta', fromVersion: 1, version: 2, add: [], revoke: [entry(sim, '482913', 1).h] });
    expect(await ackOf(gw, deviceId, revoke)).toMatchObject({ status: 'accepted' });
    expect([sim.codeVersion, sim.codeCount]).toEqual([2, 1]);
    expect(sim.holdsCode(entry(sim, '482913', 1).h)).toBe(false);

    // The version survives a reboot (flash) and is reported in the new boot's hello.
    const mark = gw.mark();
    await sim.reboot();
    expect((await gw.next(on.status('online'), mark)).json).toMatchObject({ seq: 1, codeVersion: 2 });
  });

  it('a full set in parts replaces the set only once every part of its version arrived; another version restarts the staging', async () => {
    const { gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY });
    await boot();
    await ackOf(gw, deviceId, command('code_sync', { mode: 'delta', fromVersion: 0, version: 5, add: [entry(sim, '900001', 1)], revoke: [] }));

    const full = (version: number, part: number, parts: number, add: CodeEntryT[]) =>
      command('code_sync', { mode: 'full', version, part, parts, add, revoke: [] });
    expect(await ackOf(gw, deviceId, full(9, 1, 2, [entry(sim, '900002', 2)]))).toMatchObject({ status: 'accepted' });
    expect([sim.codeVersion, sim.codeCount]).toEqual([5, 1]); // old set still in force
    // A part of another version discards the staging of version 9.
    expect(await ackOf(gw, deviceId, full(10, 2, 2, [entry(sim, '900003', 3)]))).toMatchObject({ status: 'accepted' });
    expect(await ackOf(gw, deviceId, full(9, 2, 2, [entry(sim, '900004', 1)]))).toMatchObject({ status: 'accepted' });
    expect(sim.codeVersion).toBe(5); // 9 restarted with only part 2: incomplete
    expect(await ackOf(gw, deviceId, full(9, 1, 2, [entry(sim, '900002', 2)]))).toMatchObject({ status: 'accepted' });
    expect([sim.codeVersion, sim.codeCount]).toEqual([9, 2]);
    expect(sim.holdsCode(entry(sim, '900001', 1).h)).toBe(false); // replaced, not merged
    expect(sim.holdsCode(entry(sim, '900004', 1).h)).toBe(true);
  });

  it('a 1.0 controller (and one without a code key) answers code_sync unsupported and announces no codeVersion', async () => {
    const { gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY, protocol: '1.0' });
    await boot();
    const hello = await gw.next(on.status('online'));
    expect(hello.json).toMatchObject({ protocol: '1.0' });
    expect(hello.json).not.toHaveProperty('codeVersion');
    expect(sim.codeVersion).toBeNull();
    const sync = command('code_sync', { mode: 'delta', fromVersion: 0, version: 1, add: [], revoke: [] });
    expect(await ackOf(gw, deviceId, sync)).toMatchObject({ status: 'rejected', reason: 'unsupported' });
    await sim.dropConnection();
    await expect(sim.typeCode('482913')).rejects.toThrow(/offline/);
  });
});

describe('offline keypad (README §12.4)', () => {
  it('offline, a held pickup code opens at once; local_open and the door events (commandId = openId) replay before the snapshot; single use', async () => {
    const { gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY });
    await boot();
    await ackOf(gw, deviceId, command('code_sync', { mode: 'delta', fromVersion: 0, version: 3, add: [entry(sim, '482913', 2)], revoke: [] }));
    await sim.dropConnection();
    const last = sim.seq;

    const opened = new Promise<string | undefined>((resolve) => sim.events.once('opened', (_c, id) => resolve(id)));
    const outcome = await sim.typeCode('482913');
    expect(outcome).toMatchObject({ local: true, result: 'open', compartment: 2, kind: 'pickup' });
    if (outcome.result !== 'open') throw new Error('not opened');
    expect(outcome.id).toMatch(/^lo-[A-Za-z0-9]{16}$/);
    expect(await opened).toBe(outcome.id);
    expect(sim.lastKeypadDisplay).toBe('open');
    expect(sim.physical(2).door).toBe('open');
    sim.removeParcel(2);
    sim.closeDoor(2);
    // Single use: the same code again is refused.
    expect(await sim.typeCode('482913')).toEqual({ local: true, result: 'deny', reason: 'invalid' });
    expect(sim.codeVersion).toBe(3); // using an entry does not change the version
    expect(sim.queued.map((m) => (m.channel === 'events' ? m.body.type : m.channel))).toEqual(['local_open', 'door', 'door']);

    const mark = gw.mark();
    await sim.reconnect();
    const state = await gw.next(on.channel('state'), mark);
    const local = await gw.next(on.event('local_open'), mark);
    const doorOpen = await gw.next(on.event('door', { door: 'open', compartment: 2 }), mark);
    const doorClosed = await gw.next(on.event('door', { door: 'closed', compartment: 2 }), mark);
    expect(local.json).toMatchObject({ openId: outcome.id, compartment: 2, kind: 'pickup', h: entry(sim, '482913', 2).h, codeVersion: 3, seq: last + 2 });
    expect(doorOpen.json).toMatchObject({ commandId: outcome.id, seq: last + 3 });
    expect(doorClosed.json).not.toHaveProperty('commandId');
    expect(state.json).toMatchObject({ seq: last + 5 });
    expect(state.index).toBeGreaterThan(doorClosed.index);
    expect(gw.messages.filter(on.event('open_result'))).toEqual([]);
    expect(gw.messages.filter(on.event('keypad'))).toEqual([]); // codes never leave the controller offline
  });

  it('expired entries open nothing (controller clock); household entries stay after use', async () => {
    const clock = movableClock();
    const { gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY, clock });
    await boot();
    const add = [entry(sim, '700001', 1, 'pickup', clock.now() + 60_000), entry(sim, '700002', 3, 'household')];
    await ackOf(gw, deviceId, command('code_sync', { mode: 'delta', fromVersion: 0, version: 1, add, revoke: [] }));
    await sim.dropConnection();
    clock.advance(60_000); // expiresAt <= now
    expect(await sim.typeCode('700001')).toMatchObject({ local: true, result: 'deny', reason: 'invalid' });
    expect(sim.physical(1).door).toBe('closed');
    for (let i = 0; i < 2; i += 1) {
      expect(await sim.typeCode('700002')).toMatchObject({ local: true, result: 'open', compartment: 3, kind: 'household' });
      await new Promise<void>((resolve) => sim.events.once('opened', () => resolve()));
      sim.closeDoor(3);
    }
    expect(sim.codeCount).toBe(1);
  });

  it(`${OFFLINE_LOCKOUT.attempts} wrong codes within 15 min lock the offline keypad for 15 min, even for a good code`, async () => {
    const clock = movableClock();
    const { gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY, clock });
    await boot();
    await ackOf(gw, deviceId, command('code_sync', { mode: 'delta', fromVersion: 0, version: 1, add: [entry(sim, '482913', 1, 'pickup', clock.now() + DAY)], revoke: [] }));
    await sim.dropConnection();
    for (let i = 0; i < OFFLINE_LOCKOUT.attempts - 1; i += 1) {
      expect(await sim.typeCode(`00000${i}`)).toMatchObject({ reason: 'invalid' });
      clock.advance(60_000);
    }
    expect(sim.keypadLockedOut).toBe(false);
    expect(await sim.typeCode('000009')).toMatchObject({ reason: 'invalid' });
    expect(sim.keypadLockedOut).toBe(true);
    expect(await sim.typeCode('482913')).toEqual({ local: true, result: 'deny', reason: 'locked_out' });
    expect(sim.lastKeypadDisplay).toBe('locked_out');
    clock.advance(OFFLINE_LOCKOUT.lockMs);
    expect(await sim.typeCode('482913')).toMatchObject({ local: true, result: 'open', compartment: 1 });
  });

  it('wrong codes spread over more than 15 min do not lock', async () => {
    const clock = movableClock();
    const { sim, boot } = await rig({ codeKey: CODE_KEY, clock });
    await boot();
    await sim.dropConnection();
    for (let i = 0; i < OFFLINE_LOCKOUT.attempts * 2; i += 1) {
      expect(await sim.typeCode('123456')).toMatchObject({ reason: 'invalid' });
      clock.advance(4 * 60_000);
    }
    expect(sim.keypadLockedOut).toBe(false);
  });

  it('online, a smart locker sends every code to the gateway (v1), even one it holds', async () => {
    const { gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY, keypadTimeoutMs: 200 });
    await boot();
    await ackOf(gw, deviceId, command('code_sync', { mode: 'delta', fromVersion: 0, version: 1, add: [entry(sim, '482913', 1, 'household')], revoke: [] }));
    const typed = sim.typeCode('482913');
    const keypad = await gw.next(on.event('keypad', { code: '482913' }));
    const reply = command('keypad_reply', { requestId: String(keypad.json?.['requestId']), result: 'open', compartment: 1 });
    await gw.send(deviceId, reply);
    expect(await typed).toMatchObject({ id: reply.id, result: 'open' });
    expect(gw.messages.filter(on.event('local_open'))).toEqual([]);
  });

  it('online, a mailbox bank opens a household code itself and reports local_open at once; other codes go to the gateway', async () => {
    const { gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY, kind: 'mailbox_bank', keypadTimeoutMs: 200 });
    await boot();
    await ackOf(gw, deviceId, command('code_sync', { mode: 'delta', fromVersion: 0, version: 1, add: [entry(sim, '20571', 3, 'household'), entry(sim, '482913', 1)], revoke: [] }));
    const mark = gw.mark();
    const outcome = await sim.typeCode('20571');
    expect(outcome).toMatchObject({ local: true, result: 'open', compartment: 3, kind: 'household' });
    const local = await gw.next(on.event('local_open'), mark);
    const door = await gw.next(on.event('door', { door: 'open', compartment: 3 }), mark);
    expect(local.json).toMatchObject({ openId: outcome.result === 'open' ? outcome.id : '', kind: 'household', codeVersion: 1 });
    expect(door.json?.['commandId']).toBe(local.json?.['openId']);
    expect(door.index).toBeGreaterThan(local.index);
    // A pickup code on an online bank is the gateway's to check.
    const typed = sim.typeCode('482913');
    await gw.next(on.event('keypad', { code: '482913' }), mark);
    await expect(typed).rejects.toThrow(/no keypad_reply/);
    expect(sim.holdsCode(entry(sim, '482913', 1).h)).toBe(true);
  });
});
