import { afterEach, describe, expect, it } from 'vitest';
import { StateSnapshot, deviceTopic } from '../../protocol/index.js';
import { command, on } from './helpers.js';
import { useRig } from './fixture.js';

const { rig, teardown } = useRig();
afterEach(teardown);

describe('SimController physical model and reboot command', () => {
  it('reports a forced door without a command id, and parcels only through an open door', async () => {
    const { gw, sim, boot } = await rig();
    await boot();
    expect(() => sim.placeParcel(1)).toThrow(/door is closed/);
    sim.jam(1, true);
    sim.forceOpen(1); // prying ignores the latch
    const door = await gw.next(on.event('door', { door: 'open', compartment: 1 }));
    expect(door.json).not.toHaveProperty('commandId');
    sim.placeParcel(1);
    await gw.next(on.event('occupancy', { compartment: 1, occupancy: 'present' }));
    sim.forceOpen(3);
    sim.placeParcel(3); // compartment 3 has no occupancy sensor: nothing to report
    sim.closeDoor(3);
    await gw.next(on.event('door', { door: 'closed', compartment: 3 }));
    expect(gw.messages.some(on.event('occupancy', { compartment: 3 }))).toBe(false);
    expect(sim.physical(3)).toMatchObject({ door: 'closed', parcel: true });
  });

  it('a sensor fault is reported, hides occupancy in the snapshot, and recovery sends a fresh reading', async () => {
    const { gw, sim, boot } = await rig();
    await boot();
    sim.sensorFault(2, true);
    await gw.next(on.event('fault', { fault: 'sensor_fault', compartment: 2 }));
    sim.forceOpen(2);
    sim.placeParcel(2);
    await sim.dropConnection();
    const mark = gw.mark();
    await sim.reconnect();
    const state = StateSnapshot.parse((await gw.next(on.channel('state'), mark)).json);
    expect(state.compartments[1]).toEqual({ index: 2, door: 'open', occupancy: 'unknown' });
    sim.sensorFault(2, false);
    await gw.next(on.event('occupancy', { compartment: 2, occupancy: 'present' }), mark);
  });

  it('reboot command: ack PUBACKed, old boot offline, new boot from seq 1; a resend does not reboot again', async () => {
    const { gw, sim, deviceId, boot } = await rig();
    await boot();
    const oldBoot = sim.bootId;
    const rebooted = new Promise<string>((resolve) => sim.events.once('reboot', resolve));
    const reboot = command('reboot');
    await gw.send(deviceId, reboot);
    expect((await gw.next(on.ack(reboot.id))).json).toMatchObject({ status: 'accepted', bootId: oldBoot });
    const newBoot = await rebooted;
    expect(newBoot).not.toBe(oldBoot);
    await gw.next((m) => on.status('offline')(m) && m.json?.['bootId'] === oldBoot);
    const hello = await gw.next((m) => on.status('online')(m) && m.json?.['bootId'] === newBoot);
    expect(hello.json?.['seq']).toBe(1);
    // The command memory outlives the boot: a resend is answered, not executed again.
    await gw.send(deviceId, reboot);
    const repeat = await gw.next((m) => on.ack(reboot.id)(m) && m.json?.['bootId'] === newBoot);
    expect(repeat.json).toMatchObject({ status: 'accepted', duplicate: true });
    expect(sim.bootId).toBe(newBoot);
    expect(sim.executedCommands).toEqual([reboot.id]);
  });

  it('telemetry shares the seq counter and is sent QoS 0', async () => {
    const { broker, gw, sim, deviceId, boot } = await rig();
    await boot();
    expect(await sim.sendTelemetry()).toBe(true);
    const telemetry = await gw.next(on.channel('telemetry'));
    expect(telemetry.json).toMatchObject({ bootId: sim.bootId, seq: 3, mainsPower: true });
    const entry = await broker.logged((e) => e.topic === deviceTopic(deviceId, 'telemetry'));
    expect({ qos: entry.qos, retain: entry.retain }).toEqual({ qos: 0, retain: false });
  });
});
