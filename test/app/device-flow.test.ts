import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueCommand } from '../../src/app/commands.js';
import { applyDeviceEvent } from '../../src/app/device-events.js';
import { applyHello } from '../../src/app/device-session.js';
import { applyCommandAck, applySnapshot, applyTelemetry } from '../../src/app/device-uplink.js';
import type { DeviceEventT } from '../../protocol/schemas/events.js';
import { alarmsOf, connect, getCommand, liveAlarm, startHarness, type Harness } from './harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.cleanup();
});

type EventBody = DeviceEventT extends infer E ? (E extends DeviceEventT ? Omit<E, 'bootId' | 'seq' | 'ts'> : never) : never;

/** The controller publishes an event with the next seq of its boot. */
const event = (body: EventBody) => applyDeviceEvent(h.ctx, h.deviceId, { ...h.controller.envelope(), ...body } as DeviceEventT);
const ack = (commandId: string, status: 'accepted' | 'rejected', reason?: 'expired' | 'busy' | 'unknown_compartment') =>
  applyCommandAck(h.ctx, h.deviceId, { ...h.controller.envelope(), commandId, status, ...(reason ? { reason } : {}) });
const hello = () => applyHello(h.ctx, h.deviceId, h.controller.hello());
const open = (compartment: number) => issueCommand(h.ctx, { lockerId: h.lockerId, type: 'open', params: { compartment }, actor: 'operator:tok-1' });

/** Connected, hello applied: the device's current boot is known to the gateway. */
async function online(): Promise<void> {
  await connect(h);
  expect(await hello()).toBe('applied');
}

describe('delivering commands', () => {
  it('a command for an offline device is queued, and sent once the device says hello', async () => {
    const cmd = await open(3);
    expect(cmd).toMatchObject({ state: 'queued', attempts: 0, sentAt: null });
    expect(h.transport.sent).toEqual([]);

    h.clock.advance(5_000);
    await online();

    expect(h.transport.sent).toEqual([
      {
        deviceId: h.deviceId,
        command: { id: cmd.id, type: 'open', issuedAt: cmd.createdAt, expiresAt: cmd.createdAt + 60_000, compartment: 3 },
      },
    ]);
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'sent', attempts: 1, sentAt: h.clock.now() });
  });

  it('a command for a connected device is sent at once', async () => {
    await online();
    const cmd = await open(2);
    expect(cmd).toMatchObject({ state: 'sent', attempts: 1 });
    expect(h.transport.sentWithId(cmd.id)).toHaveLength(1);
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('queued commands go out oldest first', async () => {
    const first = await open(1);
    h.clock.advance(1);
    const second = await issueCommand(h.ctx, { lockerId: h.lockerId, type: 'ping', params: {}, actor: 'system' });
    await online();
    expect(h.transport.sent.map((s) => s.command.id)).toEqual([first.id, second.id]);
  });

  it('a reconnect within the same boot sends an unacknowledged command again, with the same id', async () => {
    await online();
    const cmd = await open(1);
    h.clock.advance(3_000);
    expect(await hello()).toBe('applied'); // same boot, next seq
    expect(h.transport.sentWithId(cmd.id)).toEqual([
      expect.objectContaining({ id: cmd.id, issuedAt: cmd.createdAt }),
      expect.objectContaining({ id: cmd.id, issuedAt: cmd.createdAt }),
    ]);
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a repeated hello of the same boot is a duplicate and sends nothing again', async () => {
    await online();
    const cmd = await open(1);
    const repeated = { ...h.controller.hello() };
    expect(await applyHello(h.ctx, h.deviceId, repeated)).toBe('applied');
    expect(await applyHello(h.ctx, h.deviceId, repeated)).toBe('duplicate');
    expect(h.transport.sentWithId(cmd.id)).toHaveLength(2);
  });

  it('a hello from a new boot fails an open sent to the old boot as interrupted_by_reboot and never resends it', async () => {
    await online();
    const openCmd = await open(4);
    const ping = await issueCommand(h.ctx, { lockerId: h.lockerId, type: 'ping', params: {}, actor: 'system' });
    h.clock.advance(2_000);

    h.controller.reboot();
    expect(await hello()).toBe('applied');

    expect(await getCommand(h, openCmd.id)).toMatchObject({ state: 'failed', outcome: 'interrupted_by_reboot', completedAt: h.clock.now() });
    expect(h.transport.sentWithId(openCmd.id)).toHaveLength(1);
    // A ping is harmless to repeat, so it goes out again to the new boot.
    expect(h.transport.sentWithId(ping.id)).toHaveLength(2);
    expect(h.changes.filter((c) => c.id === openCmd.id).at(-1)?.outcome).toBe('interrupted_by_reboot');
  });

  it('the new boot id becomes current: messages of the old boot are then stale', async () => {
    await online();
    const oldBoot = h.controller.envelope();
    h.controller.reboot();
    await hello();
    const stale = await applyDeviceEvent(h.ctx, h.deviceId, { ...oldBoot, seq: oldBoot.seq + 10, type: 'fault', fault: 'tamper' });
    expect(stale).toBe('stale_boot');
    expect(await liveAlarm(h, 'tamper', null)).toBeUndefined();
  });
});

describe('acks and open results', () => {
  beforeEach(online);

  it('accepted open → accepted; open_result opened → done/opened', async () => {
    const cmd = await open(3);
    h.clock.advance(400);
    expect(await ack(cmd.id, 'accepted')).toBe('applied');
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'accepted', acceptedAt: h.clock.now(), outcome: null });

    h.clock.advance(1_500);
    expect(await event({ type: 'open_result', commandId: cmd.id, compartment: 3, result: 'opened' })).toBe('applied');
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'done', outcome: 'opened', completedAt: h.clock.now() });
    expect(h.changes.filter((c) => c.id === cmd.id).map((c) => c.state)).toEqual(['sent', 'accepted', 'done']);
  });

  it('accepted ping → done/acknowledged', async () => {
    const cmd = await issueCommand(h.ctx, { lockerId: h.lockerId, type: 'ping', params: {}, actor: 'system' });
    await ack(cmd.id, 'accepted');
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'done', outcome: 'acknowledged' });
  });

  it('rejected/busy → failed/rejected_busy; rejected/expired → expired/rejected_expired', async () => {
    const busy = await open(1);
    const late = await open(2);
    await ack(busy.id, 'rejected', 'busy');
    await ack(late.id, 'rejected', 'expired');
    expect(await getCommand(h, busy.id)).toMatchObject({ state: 'failed', outcome: 'rejected_busy' });
    expect(await getCommand(h, late.id)).toMatchObject({ state: 'expired', outcome: 'rejected_expired' });
  });

  it('a second ack for a finished command changes nothing', async () => {
    const cmd = await open(1);
    await ack(cmd.id, 'rejected', 'busy');
    const before = await getCommand(h, cmd.id);
    expect(await ack(cmd.id, 'accepted')).toBe('applied');
    expect(await getCommand(h, cmd.id)).toEqual(before);
  });

  it('open_result jammed → failed/jammed and a door_jammed alarm on that compartment', async () => {
    const cmd = await open(5);
    await ack(cmd.id, 'accepted');
    await event({ type: 'open_result', commandId: cmd.id, compartment: 5, result: 'jammed' });
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'failed', outcome: 'jammed' });
    expect(await liveAlarm(h, 'door_jammed', 5)).toMatchObject({ severity: 'warning', details: { commandId: cmd.id } });
    expect(h.raised.map((a) => a.kind)).toEqual(['door_jammed']);
  });

  it('an ack or result for an unknown command is rejected as unknown_command', async () => {
    expect(await ack('cmd-unknown00', 'accepted')).toBe('unknown_command');
    expect(await event({ type: 'open_result', commandId: 'cmd-unknown00', compartment: 1, result: 'opened' })).toBe('unknown_command');
  });
});

describe('sequencing', () => {
  beforeEach(online);

  it('the same event (same boot id and seq) is applied once', async () => {
    const tamper = { ...h.controller.envelope(), type: 'fault' as const, fault: 'tamper' as const };
    expect(await applyDeviceEvent(h.ctx, h.deviceId, tamper)).toBe('applied');
    expect(await applyDeviceEvent(h.ctx, h.deviceId, tamper)).toBe('duplicate');
    expect(await liveAlarm(h, 'tamper', null)).toMatchObject({ occurrences: 1 });

    // The same fault with the next seq is a new occurrence: the check above could have failed.
    expect(await event({ type: 'fault', fault: 'tamper' })).toBe('applied');
    expect(await liveAlarm(h, 'tamper', null)).toMatchObject({ occurrences: 2 });
  });

  it('an event from another boot id is stale and changes nothing', async () => {
    const before = await h.store.read((tx) => tx.devices.get(h.deviceId));
    const verdict = await applyDeviceEvent(h.ctx, h.deviceId, { bootId: 'other-boot', seq: 99, ts: h.clock.now(), type: 'fault', fault: 'tamper' });
    expect(verdict).toBe('stale_boot');
    expect(await alarmsOf(h, 'tamper')).toEqual([]);
    expect(await h.store.read((tx) => tx.devices.get(h.deviceId))).toEqual(before);
  });

  it('a skipped seq is applied and reported as a gap; the seq advances', async () => {
    h.controller.seq += 3;
    expect(await event({ type: 'fault', fault: 'low_battery' })).toBe('gap');
    expect(await liveAlarm(h, 'low_battery', null)).toBeDefined();
    expect(await h.store.read((tx) => tx.devices.get(h.deviceId)?.lastSeq)).toBe(h.controller.seq);
  });

  it('a message from an unknown device is rejected', async () => {
    expect(await applyDeviceEvent(h.ctx, 'dev-nobody', { ...h.controller.envelope(), type: 'fault', fault: 'tamper' })).toBe('unknown_device');
  });
});

describe('door, keypad, faults and telemetry', () => {
  beforeEach(online);

  it('a door opened without an open command raises door_forced (critical)', async () => {
    expect(await event({ type: 'door', compartment: 2, door: 'open' })).toBe('applied');
    expect(await liveAlarm(h, 'door_forced', 2)).toMatchObject({ severity: 'critical', state: 'open' });
    expect(await h.store.read((tx) => tx.lockers.compartment(h.lockerId, 2))).toMatchObject({ door: 'open', doorOpenedAt: h.clock.now() });
  });

  it('a door opened by an open command raises nothing', async () => {
    const cmd = await open(2);
    await ack(cmd.id, 'accepted');
    await event({ type: 'door', compartment: 2, door: 'open', commandId: cmd.id });
    await event({ type: 'open_result', commandId: cmd.id, compartment: 2, result: 'opened' });
    expect(await liveAlarm(h, 'door_forced', 2)).toBeUndefined();
    expect(h.raised).toEqual([]);
  });

  it('a door event for a compartment the locker does not have is rejected', async () => {
    expect(await event({ type: 'door', compartment: 42, door: 'open' })).toBe('unknown_compartment');
  });

  it('occupancy reports update the sensed state only', async () => {
    await event({ type: 'occupancy', compartment: 1, occupancy: 'present' });
    expect(await h.store.read((tx) => tx.lockers.compartment(h.lockerId, 1))).toMatchObject({ state: 'available', occupancy: 'present' });
    expect(h.raised).toEqual([]);
  });

  it('a keypad entry with an unknown code is answered with a keypad_reply deny/invalid, done once acknowledged', async () => {
    expect(await event({ type: 'keypad', requestId: 'req-7f3k9x', code: '482913' })).toBe('applied');
    expect(h.transport.sent).toHaveLength(1);
    const reply = h.transport.sent[0]!.command;
    expect(reply).toEqual({
      id: expect.stringMatching(/^cmd-/),
      type: 'keypad_reply',
      issuedAt: h.clock.now(),
      expiresAt: h.clock.now() + 30_000,
      requestId: 'req-7f3k9x',
      result: 'deny',
      reason: 'invalid',
    });
    await ack(reply.id, 'accepted');
    expect(await getCommand(h, reply.id)).toMatchObject({ state: 'done', outcome: 'acknowledged', actor: 'keypad:req-7f3k9x' });
  });

  it('fault events raise tamper, power and sensor_fault alarms; power_restored clears power', async () => {
    await event({ type: 'fault', fault: 'tamper', detail: 'cabinet opened' });
    await event({ type: 'fault', fault: 'power_lost' });
    await event({ type: 'fault', fault: 'sensor_fault', compartment: 6 });
    expect(await liveAlarm(h, 'tamper', null)).toMatchObject({ severity: 'critical', details: { detail: 'cabinet opened' } });
    expect(await liveAlarm(h, 'power', null)).toMatchObject({ severity: 'warning', state: 'open' });
    expect(await liveAlarm(h, 'sensor_fault', 6)).toMatchObject({ state: 'open' });
    // The dead sensor's last reading no longer counts.
    expect(await h.store.read((tx) => tx.lockers.compartment(h.lockerId, 6)?.occupancy)).toBe('unknown');
    expect(h.raised.map((a) => a.kind)).toEqual(['tamper', 'power', 'sensor_fault']);

    h.clock.advance(90_000);
    await event({ type: 'fault', fault: 'power_restored' });
    expect(await liveAlarm(h, 'power', null)).toBeUndefined();
    expect(await alarmsOf(h, 'power')).toEqual([expect.objectContaining({ state: 'cleared', clearedAt: h.clock.now() })]);
    expect(await liveAlarm(h, 'tamper', null)).toBeDefined();
  });

  it('telemetry is stored on the device, replacing the previous report', async () => {
    await applyTelemetry(h.ctx, h.deviceId, { ...h.controller.envelope(), uptimeS: 100, batteryPct: 90, mainsPower: true });
    const t = { ...h.controller.envelope(), uptimeS: 160, rssiDbm: -71, temperatureC: 21.5 };
    expect(await applyTelemetry(h.ctx, h.deviceId, t)).toBe('applied');
    const device = await h.store.read((tx) => tx.devices.get(h.deviceId));
    expect(device?.telemetry).toEqual({ ts: t.ts, uptimeS: 160, rssiDbm: -71, temperatureC: 21.5 });
    expect(device?.lastSeq).toBe(t.seq);
  });

  it('a reconnect snapshot that disagrees raises snapshot_mismatch alarms', async () => {
    const verdict = await applySnapshot(h.ctx, h.deviceId, {
      ...h.controller.envelope(),
      compartments: [1, 2, 3, 4, 5, 6, 7, 8].map((index) => ({
        index,
        door: index === 7 ? ('open' as const) : ('closed' as const),
        occupancy: index === 2 ? ('present' as const) : ('absent' as const),
      })),
    });
    expect(verdict).toBe('applied');
    const mismatches = await alarmsOf(h, 'snapshot_mismatch');
    expect(mismatches.map((a) => [a.compartment, a.details['problem']]).sort()).toEqual([
      [2, 'occupancy'],
      [7, 'door_open'],
    ]);
  });

  // Known bug (see report): both disagreements are raised on the same live alarm, and the second
  // overwrites the details of the first, so the occupancy contradiction disappears from view.
  it('a snapshot with two disagreements on one compartment keeps both visible on its alarm', async () => {
    await applySnapshot(h.ctx, h.deviceId, {
      ...h.controller.envelope(),
      compartments: [1, 2, 3, 4, 5, 6, 7, 8].map((index) => ({
        index,
        door: index === 7 ? ('open' as const) : ('closed' as const),
        occupancy: index === 7 ? ('present' as const) : ('absent' as const),
      })),
    });
    const onSeven = (await alarmsOf(h, 'snapshot_mismatch')).filter((a) => a.compartment === 7);
    const described = JSON.stringify(onSeven.map((a) => a.details));
    expect(described).toContain('door_open');
    expect(described).toContain('occupancy');
  });
});
