import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueCommand } from '../../src/app/commands.js';
import { applyDeviceEvent } from '../../src/app/device-events.js';
import { applyHello } from '../../src/app/device-session.js';
import { applyCommandAck } from '../../src/app/device-uplink.js';
import { DEFAULT_SETTINGS } from '../../src/app/settings.js';
import { sweep } from '../../src/app/sweeper.js';
import { alarmsOf, connect, disconnect, getCommand, liveAlarm, startHarness, type Harness } from './harness.js';

const S = DEFAULT_SETTINGS;
let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.cleanup();
});

const open = (compartment: number) => issueCommand(h.ctx, { lockerId: h.lockerId, type: 'open', params: { compartment }, actor: 'operator:tok-1' });
const ack = (commandId: string) => applyCommandAck(h.ctx, h.deviceId, { ...h.controller.envelope(), commandId, status: 'accepted' });
const door = (compartment: number, state: 'open' | 'closed') =>
  applyDeviceEvent(h.ctx, h.deviceId, { ...h.controller.envelope(), type: 'door', compartment, door: state });

async function online(): Promise<void> {
  await connect(h);
  expect(await applyHello(h.ctx, h.deviceId, h.controller.hello())).toBe('applied');
}

describe('sweep: command timeouts', () => {
  it('a queued command that expires is never sent, and the sweep records it as expired_undelivered', async () => {
    const cmd = await open(1);
    h.clock.advance(S.commandTtlMs + 1);
    await online(); // the device comes back too late
    expect(h.transport.sentWithId(cmd.id)).toEqual([]);

    const report = await sweep(h.ctx);
    expect(report).toMatchObject({ ended: 1, resent: 0 });
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'expired', outcome: 'expired_undelivered', completedAt: h.clock.now(), attempts: 0 });

    await applyHello(h.ctx, h.deviceId, h.controller.hello());
    expect(h.transport.sentWithId(cmd.id)).toEqual([]);
  });

  it('a queued command is left alone by the sweep until it expires', async () => {
    const cmd = await open(1);
    h.clock.advance(S.commandTtlMs - 1);
    expect(await sweep(h.ctx)).toEqual({ ended: 0, resent: 0, alarms: 0 });
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'queued' });
  });

  it('a sent command without an ack is sent again after the ack timeout while the device is connected', async () => {
    await online();
    const cmd = await open(2);
    h.clock.advance(S.ackTimeoutMs - 1);
    expect((await sweep(h.ctx)).resent).toBe(0);
    expect(h.transport.sentWithId(cmd.id)).toHaveLength(1);

    h.clock.advance(1);
    expect((await sweep(h.ctx)).resent).toBe(1);
    expect(h.transport.sentWithId(cmd.id)).toEqual([
      expect.objectContaining({ id: cmd.id, expiresAt: cmd.expiresAt }),
      expect.objectContaining({ id: cmd.id, expiresAt: cmd.expiresAt }),
    ]);
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'sent', attempts: 2, sentAt: h.clock.now() });
  });

  it('a sent command is not resent while the device is disconnected, and expires unacknowledged', async () => {
    await online();
    const cmd = await open(2);
    await disconnect(h);
    h.clock.advance(S.ackTimeoutMs);
    expect((await sweep(h.ctx)).resent).toBe(0);
    h.clock.advance(S.commandTtlMs);
    await sweep(h.ctx);
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'expired', outcome: 'expired_unacknowledged', attempts: 1 });
    expect(h.transport.sentWithId(cmd.id)).toHaveLength(1);
  });

  it('an accepted open with no result fails as open_not_detected after the open timeout, with an alarm', async () => {
    await online();
    const cmd = await open(3);
    await ack(cmd.id);
    h.clock.advance(S.openOutcomeTimeoutMs - 1);
    await sweep(h.ctx);
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'accepted' });

    h.clock.advance(1);
    const report = await sweep(h.ctx);
    expect(report).toEqual({ ended: 1, resent: 0, alarms: 1 });
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'failed', outcome: 'open_not_detected', completedAt: h.clock.now() });
    expect(await liveAlarm(h, 'open_not_detected', 3)).toMatchObject({ severity: 'warning', details: { commandId: cmd.id } });
    expect(h.raised.map((a) => a.kind)).toEqual(['open_not_detected']);
  });

  it('an open that reported its result is not touched by later sweeps', async () => {
    await online();
    const cmd = await open(3);
    await ack(cmd.id);
    await applyDeviceEvent(h.ctx, h.deviceId, { ...h.controller.envelope(), type: 'open_result', commandId: cmd.id, compartment: 3, result: 'opened' });
    h.clock.advance(S.openOutcomeTimeoutMs + S.commandTtlMs);
    expect(await sweep(h.ctx)).toEqual({ ended: 0, resent: 0, alarms: 0 });
    expect(await getCommand(h, cmd.id)).toMatchObject({ state: 'done', outcome: 'opened' });
  });
});

describe('sweep: doors left open', () => {
  beforeEach(online);

  it('raises door_left_open once the door has been open for doorLeftOpenMs, once, and clears it when the door closes', async () => {
    await door(4, 'open');
    h.clock.advance(S.doorLeftOpenMs - 1);
    await sweep(h.ctx);
    expect(await liveAlarm(h, 'door_left_open', 4)).toBeUndefined();

    h.clock.advance(1);
    expect((await sweep(h.ctx)).alarms).toBe(1);
    const alarm = await liveAlarm(h, 'door_left_open', 4);
    expect(alarm).toMatchObject({ state: 'open', severity: 'warning', occurrences: 1 });

    h.clock.advance(60_000);
    expect((await sweep(h.ctx)).alarms).toBe(0);
    expect(await liveAlarm(h, 'door_left_open', 4)).toMatchObject({ id: alarm?.id, occurrences: 1 });

    await door(4, 'closed');
    expect(await liveAlarm(h, 'door_left_open', 4)).toBeUndefined();
    expect(await alarmsOf(h, 'door_left_open')).toEqual([expect.objectContaining({ id: alarm?.id, state: 'cleared', clearedAt: h.clock.now() })]);

    h.clock.advance(S.doorLeftOpenMs * 2);
    await sweep(h.ctx);
    expect(await liveAlarm(h, 'door_left_open', 4)).toBeUndefined();
  });

  it('a door closed before the limit raises nothing', async () => {
    await door(4, 'open');
    h.clock.advance(S.doorLeftOpenMs - 1);
    await door(4, 'closed');
    h.clock.advance(S.doorLeftOpenMs);
    await sweep(h.ctx);
    expect(await alarmsOf(h, 'door_left_open')).toEqual([]);
  });
});

describe('sweep: devices offline', () => {
  it('raises device_offline after deviceOfflineAlarmMs offline, once, and clears it when the device reconnects', async () => {
    await online();
    await disconnect(h);
    h.clock.advance(S.deviceOfflineAlarmMs - 1);
    await sweep(h.ctx);
    expect(await liveAlarm(h, 'device_offline', null)).toBeUndefined();

    h.clock.advance(2);
    await sweep(h.ctx);
    const alarm = await liveAlarm(h, 'device_offline', null);
    expect(alarm).toMatchObject({ state: 'open', details: { deviceId: h.deviceId } });
    expect(h.raised.map((a) => a.kind)).toEqual(['device_offline']);

    h.clock.advance(S.deviceOfflineAlarmMs);
    await sweep(h.ctx);
    expect(await liveAlarm(h, 'device_offline', null)).toMatchObject({ id: alarm?.id, occurrences: 1 });

    await connect(h);
    expect(await liveAlarm(h, 'device_offline', null)).toBeUndefined();
  });

  it('a connected device raises no offline alarm however long it stays', async () => {
    await online();
    h.clock.advance(S.deviceOfflineAlarmMs * 3);
    await sweep(h.ctx);
    expect(await alarmsOf(h, 'device_offline')).toEqual([]);
  });
});
