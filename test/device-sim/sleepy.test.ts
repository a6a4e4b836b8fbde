/**
 * Protocol v1.1 mailbox banks (README §13) in the simulator, against a bare broker: persistent
 * session (session present → no SUBSCRIBE), the wake/sleep cycle, commands kept for a sleeping
 * bank, events of a sleeping bank replayed before the snapshot, battery telemetry and low_battery.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deviceTopic } from '../../protocol/index.js';
import type { SimController } from '../../device-sim/index.js';
import { command, on, type Seen } from './helpers.js';
import { useRig } from './fixture.js';

const { rig, teardown } = useRig();
afterEach(teardown);

const CODE_KEY = 'c3'.repeat(32);
/** 10 s announced, 50 ms real: the cycle runs 200× faster than the hello says. */
const FAST = { wakeIntervalS: 10, speed: 200, awakeMs: 150 };

const sleepStatus = (m: Seen): boolean => on.status('offline')(m) && m.json?.['reason'] === 'sleep';

function nextSleep(sim: SimController): Promise<number> {
  return new Promise((resolve) => sim.events.once('sleep', resolve));
}

describe('sleepy mailbox bank (README §13)', () => {
  it('connects with clean session 0; hello has codeVersion and wakeIntervalS; sleeps with an offline status (sleep, nextWakeAt) and DISCONNECT', async () => {
    const { broker, gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY, sleepy: { wakeIntervalS: 300, awakeMs: 150 } });
    let clean: boolean | undefined;
    broker.broker.on('client', (client) => void (clean = (client as unknown as { clean: boolean }).clean));
    const asleep = nextSleep(sim);
    await boot();
    expect(clean).toBe(false);
    const hello = await gw.next(on.status('online'));
    expect(hello.json).toMatchObject({ protocol: '1.1', codeVersion: 0, wakeIntervalS: 300 });
    const telemetry = await gw.next(on.channel('telemetry'));
    expect(telemetry.json).toMatchObject({ mainsPower: false, batteryPct: expect.any(Number), batteryMv: expect.any(Number) });
    const nextWakeAt = await asleep;
    const bye = await gw.next(sleepStatus);
    expect(bye.json).toEqual({ state: 'offline', bootId: sim.bootId, ts: expect.any(Number), reason: 'sleep', nextWakeAt });
    expect(nextWakeAt - Number(bye.json?.['ts'])).toBe(300_000);
    const retained = await broker.logged((e) => e.kind === 'publish' && e.topic === deviceTopic(deviceId, 'status') && e.payload.includes('"sleep"'));
    expect([retained.qos, retained.retain]).toEqual([1, true]);
    expect(sim.asleep).toBe(true);
    expect(sim.online).toBe(false);
    expect(sim.nextWakeAt).toBe(nextWakeAt);
    // DISCONNECT, not a dropped socket: the broker discards the will (no second offline status).
    await new Promise((r) => setTimeout(r, 100));
    expect(gw.messages.filter(on.status('offline'))).toHaveLength(1);
  });

  it('wakes on its own every wakeIntervalS (same boot, next seq); with the session present it does not SUBSCRIBE again', async () => {
    const { broker, gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY, sleepy: FAST });
    await boot();
    await nextSleep(sim);
    const mark = gw.mark();
    const hello2 = await gw.next(on.status('online'), mark);
    const state2 = await gw.next(on.channel('state'), mark);
    await gw.next(sleepStatus, mark);
    expect(hello2.json).toMatchObject({ bootId: sim.bootId });
    expect(Number(hello2.json?.['seq'])).toBeGreaterThan(3);
    expect(state2.index).toBeGreaterThan(hello2.index);
    const subscribes = broker.log.filter((e) => e.kind === 'subscribe' && e.topic === deviceTopic(deviceId, 'cmd'));
    expect(subscribes).toHaveLength(1);
    expect(sim.stats.connects).toBeGreaterThanOrEqual(2);
  });

  it('a command published while it sleeps waits in the persistent session and is answered after the next hello; a command keeps it awake', async () => {
    const { gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY, sleepy: { wakeIntervalS: 300, awakeMs: 150 } });
    await boot();
    await nextSleep(sim);
    const open = command('open', { compartment: 2 });
    await gw.send(deviceId, open);
    expect(sim.executedCommands).toEqual([]);
    const mark = gw.mark();
    expect(await sim.wake()).toBe(true); // someone at the bank
    const hello = await gw.next(on.status('online'), mark);
    const ack = await gw.next(on.ack(open.id), mark);
    expect(ack.index).toBeGreaterThan(hello.index);
    expect(ack.json).toMatchObject({ status: 'accepted' });
    await gw.next(on.event('open_result', { commandId: open.id, result: 'opened' }), mark);
    // A ping now restarts the awake window; the bank sleeps only after it.
    const ping = command('ping');
    const pinged = Date.now();
    await gw.send(deviceId, ping);
    await gw.next(on.ack(ping.id), mark);
    await nextSleep(sim);
    expect(Date.now() - pinged).toBeGreaterThanOrEqual(140);
  });

  it('asleep, physical events and local opens queue; on wake they replay after the hello and before the snapshot', async () => {
    const { gw, sim, deviceId, boot } = await rig({ codeKey: CODE_KEY, sleepy: { wakeIntervalS: 300, awakeMs: 300 } });
    await boot();
    const h = sim.codeHash('20571')!;
    await gw.send(deviceId, command('code_sync', { mode: 'full', version: 4, part: 1, parts: 1, add: [{ h, compartment: 1, kind: 'household' }], revoke: [] }));
    await nextSleep(sim);
    expect(sim.codeVersion).toBe(4);

    const outcome = await sim.typeCode('20571'); // the household, at its mailbox, while it sleeps
    expect(outcome).toMatchObject({ local: true, result: 'open', compartment: 1 });
    await new Promise<void>((resolve) => sim.events.once('opened', () => resolve()));
    sim.removeParcel(1);
    sim.closeDoor(1);
    expect(sim.asleep).toBe(true);
    expect(sim.queued.map((m) => (m.channel === 'events' ? m.body.type : m.channel))).toEqual(['local_open', 'door', 'door']);

    const mark = gw.mark();
    await sim.wake();
    const hello = await gw.next(on.status('online'), mark);
    const local = await gw.next(on.event('local_open'), mark);
    const closed = await gw.next(on.event('door', { door: 'closed', compartment: 1 }), mark);
    const state = await gw.next(on.channel('state'), mark);
    expect(hello.json).toMatchObject({ codeVersion: 4 });
    expect(local.json).toMatchObject({ kind: 'household', h, codeVersion: 4 });
    expect([hello.index < local.index, closed.index < state.index]).toEqual([true, true]);
    expect(state.json?.['compartments']).toContainEqual({ index: 1, door: 'closed', occupancy: 'absent' });
  });

  it('a link lost while awake: asleep until the next wake, then back by itself', async () => {
    const { gw, sim, boot } = await rig({ codeKey: CODE_KEY, sleepy: FAST });
    await boot();
    const lost = nextSleep(sim);
    await sim.dropConnection();
    await lost;
    expect(sim.asleep).toBe(true);
    const mark = gw.mark();
    await gw.next(on.status('online'), mark);
  });

  it('reports battery in telemetry on every wake; below 15 % it sends low_battery once', async () => {
    const { gw, sim, boot } = await rig({ codeKey: CODE_KEY, sleepy: FAST, battery: { startPct: 15.1, drainPerWakePct: 0.2 } });
    const low = new Promise<number>((resolve) => sim.events.once('low_battery', resolve));
    await boot();
    expect(await low).toBe(14.9);
    const fault = await gw.next(on.event('fault', { fault: 'low_battery' }));
    expect(fault.json?.['detail']).toMatch(/^battery 14\.9 % \(\d+ mV\)$/);
    const first = await gw.next(on.channel('telemetry'));
    expect(first.json).toMatchObject({ batteryPct: 14.9, mainsPower: false });
    // Two more wakes: the charge keeps falling, the fault is not repeated.
    await nextSleep(sim);
    await nextSleep(sim);
    await nextSleep(sim);
    expect(sim.battery).toBeLessThan(14.9);
    expect(gw.messages.filter(on.event('fault', { fault: 'low_battery' }))).toHaveLength(1);
    const telemetry = gw.messages.filter(on.channel('telemetry')).map((m) => m.json?.['batteryPct']);
    expect(telemetry.length).toBeGreaterThanOrEqual(2);
    expect(telemetry).toEqual([...telemetry].sort((a, b) => Number(b) - Number(a)));
  });

  it('stop() says shutdown; the controller is a mailbox bank with protocol 1.1 only', async () => {
    const { gw, sim, boot } = await rig({ codeKey: CODE_KEY, sleepy: { wakeIntervalS: 300, awakeMs: 5000 } });
    await boot();
    await sim.stop();
    expect((await gw.next(on.status('offline'))).json).toMatchObject({ reason: 'shutdown' });
    expect(sim.asleep).toBe(false);
    await expect(rig({ sleepy: FAST, protocol: '1.0' })).rejects.toThrow(/1\.1 mailbox bank/);
  });
});
