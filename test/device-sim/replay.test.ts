import { afterEach, describe, expect, it } from 'vitest';
import { command, on } from './helpers.js';
import { useRig } from './fixture.js';

const { rig, teardown } = useRig();
afterEach(teardown);

describe('SimController offline queue (protocol §3.5 steps 4-5, §5)', () => {
  it.each([
    ['1.0', 'snapshot, then the events'],
    ['1.1', 'the events, then the snapshot (newest truth last)'],
  ] as const)('protocol %s: queues events while disconnected; after reconnect: hello, %s, with the next seqs', async (protocol, _order) => {
    const v11 = protocol === '1.1';
    const { gw, sim, boot } = await rig({ protocol });
    await boot();
    const bootId = sim.bootId;
    const last = sim.seq;
    await sim.dropConnection();
    expect(sim.connected).toBe(false);
    await gw.next(on.status('offline'));

    sim.forceOpen(2);
    sim.placeParcel(2);
    sim.closeDoor(2);
    expect(sim.queued.map((m) => m.channel === 'events' && m.body.type)).toEqual(['door', 'occupancy', 'door']);
    const happenedAt = sim.queued.map((m) => m.ts);
    expect(sim.seq).toBe(last); // queued messages get their seq only when published
    expect(await sim.sendTelemetry()).toBe(false); // QoS 0: dropped, no seq used

    const mark = gw.mark();
    await sim.reconnect();
    const hello = await gw.next(on.status('online'), mark);
    const state = await gw.next(on.channel('state'), mark);
    const replayed = [
      await gw.next(on.event('door', { door: 'open', compartment: 2 }), mark),
      await gw.next(on.event('occupancy', { occupancy: 'present' }), mark),
      await gw.next(on.event('door', { door: 'closed', compartment: 2 }), mark),
    ];
    expect(hello.json).toMatchObject({ bootId, seq: last + 1 });
    expect(state.json).toMatchObject({ bootId, seq: v11 ? last + 5 : last + 2 });
    expect(state.json?.['compartments']).toContainEqual({ index: 2, door: 'closed', occupancy: 'present' });
    expect(replayed.map((m) => m.json?.['seq'])).toEqual(v11 ? [last + 2, last + 3, last + 4] : [last + 3, last + 4, last + 5]);
    expect(replayed.map((m) => m.json?.['ts'])).toEqual(happenedAt); // when it happened, not when sent
    expect(replayed.every((m) => m.json?.['bootId'] === bootId && (v11 ? m.index < state.index : m.index > state.index))).toBe(true);
    expect(replayed[0]!.json).not.toHaveProperty('commandId');
    expect(sim.queued).toHaveLength(0);
    expect(sim.stats.replayed).toBe(3);
  });

  it('a message without PUBACK when the link dies is published again with a new seq', async () => {
    const { broker, gw, sim, deviceId, boot } = await rig();
    let hold = true;
    let reachedBroker!: () => void;
    const arrived = new Promise<void>((resolve) => (reachedBroker = resolve));
    broker.broker.authorizePublish = (_client, packet, done) => {
      if (!(hold && packet.topic === `lg/v1/${deviceId}/events`)) return done(null);
      reachedBroker(); // never answered: the broker neither delivers it nor PUBACKs it
    };
    await boot();
    sim.forceOpen(1);
    await arrived;
    const stampedAs = sim.seq;
    expect(sim.queued).toHaveLength(1);
    await sim.dropConnection();
    hold = false;

    const mark = gw.mark();
    await sim.reconnect();
    const door = await gw.next(on.event('door', { door: 'open', compartment: 1 }), mark);
    expect((await gw.next(on.status('online'), mark)).json?.['seq']).toBe(stampedAs + 1);
    // v1.1 order: replayed right after the hello, before the snapshot (§3.5).
    expect(door.json?.['seq']).toBe(stampedAs + 2);
    expect(sim.queued).toHaveLength(0);
  });

  it('keypad codes are neither accepted offline nor replayed, and a stale reply opens nothing', async () => {
    const { gw, sim, deviceId, boot } = await rig({ keypadTimeoutMs: 60 });
    await boot();
    await sim.dropConnection();
    await expect(sim.typeCode('482913')).rejects.toThrow(/offline/);
    expect(sim.lastKeypadDisplay).toBe('offline');
    await sim.reconnect();

    const typed = sim.typeCode('111111');
    const keypad = await gw.next(on.event('keypad', { code: '111111' }));
    await expect(typed).rejects.toThrow(/no keypad_reply/);
    const late = command('keypad_reply', { requestId: String(keypad.json?.['requestId']), result: 'open', compartment: 1 });
    await gw.send(deviceId, late);
    expect((await gw.next(on.ack(late.id))).json).toMatchObject({ status: 'rejected', reason: 'expired' });
    expect(sim.executedCommands).toEqual([]);
    expect(sim.physical(1).door).toBe('closed');
    expect(gw.messages.filter(on.event('keypad'))).toHaveLength(1);
  });
});
