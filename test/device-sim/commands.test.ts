import { afterEach, describe, expect, it } from 'vitest';
import { CommandAck, DeviceEvent } from '../../protocol/index.js';
import { command, on, type Seen } from './helpers.js';
import { useRig } from './fixture.js';

const { rig, teardown } = useRig();
afterEach(teardown);

const seq = (m: Seen): unknown => m.json?.['seq'];

describe('SimController commands', () => {
  it('open: ack accepted, then door open with the command id, then open_result opened', async () => {
    const { gw, sim, deviceId, boot } = await rig();
    await boot();
    const open = command('open', { compartment: 2 });
    await gw.send(deviceId, open);
    const ack = await gw.next(on.ack(open.id));
    const door = await gw.next(on.event('door', { commandId: open.id }));
    const result = await gw.next(on.event('open_result', { commandId: open.id }));
    expect(CommandAck.parse(ack.json)).toMatchObject({ status: 'accepted' });
    expect(ack.json).not.toHaveProperty('duplicate');
    expect(DeviceEvent.parse(door.json)).toMatchObject({ compartment: 2, door: 'open' });
    expect(DeviceEvent.parse(result.json)).toMatchObject({ compartment: 2, result: 'opened' });
    expect([seq(ack), seq(door), seq(result)]).toEqual([3, 4, 5]);
    expect(sim.physical(2)).toMatchObject({ door: 'open', parcel: false });
    expect(sim.executedCommands).toEqual([open.id]);

    const again = command('open', { compartment: 2 });
    await gw.send(deviceId, again);
    const already = await gw.next(on.event('open_result', { commandId: again.id }));
    expect(already.json).toMatchObject({ result: 'already_open' });
  });

  it('executes a repeated command id once and acks it twice, the second with duplicate: true', async () => {
    const { gw, sim, deviceId, boot } = await rig();
    await boot();
    const open = command('open', { compartment: 1 });
    await gw.send(deviceId, open);
    await gw.send(deviceId, open);
    const first = await gw.next(on.ack(open.id));
    const second = await gw.next(on.ack(open.id), first.index + 1);
    await gw.next(on.event('open_result', { commandId: open.id }));
    // Everything the device would do for the command is done once the ping behind it is acked.
    const ping = command('ping');
    await gw.send(deviceId, ping);
    await gw.next(on.ack(ping.id));

    expect(first.json).toMatchObject({ status: 'accepted' });
    expect(first.json).not.toHaveProperty('duplicate');
    expect(second.json).toMatchObject({ status: 'accepted', duplicate: true });
    expect(seq(second)).not.toBe(seq(first));
    expect(sim.executedCommands.filter((id) => id === open.id)).toHaveLength(1);
    expect(gw.messages.filter(on.event('open_result', { commandId: open.id }))).toHaveLength(1);
    expect(gw.messages.filter(on.event('door', { commandId: open.id }))).toHaveLength(1);
    expect(sim.stats.duplicateCommands).toBe(1);
  });

  it('rejects an expired command and an unknown compartment without executing them', async () => {
    const { gw, sim, deviceId, boot } = await rig();
    await boot();
    const now = Date.now();
    const expired = command('open', { compartment: 1, issuedAt: now - 10_000, expiresAt: now - 1 });
    const unknown = command('open', { compartment: 42 });
    await gw.send(deviceId, expired);
    await gw.send(deviceId, unknown);
    expect((await gw.next(on.ack(expired.id))).json).toMatchObject({ status: 'rejected', reason: 'expired' });
    expect((await gw.next(on.ack(unknown.id))).json).toMatchObject({ status: 'rejected', reason: 'unknown_compartment' });
    expect(sim.executedCommands).toEqual([]);
    expect(sim.physical(1).door).toBe('closed');

    await gw.send(deviceId, expired);
    const repeat = await gw.next((m) => on.ack(expired.id)(m) && m.json?.['duplicate'] === true);
    expect(repeat.json).toMatchObject({ status: 'rejected', reason: 'expired' });
  });

  it('reports jammed after the jam window when the latch never releases', async () => {
    const { gw, sim, deviceId, boot } = await rig({ jamWindowMs: 80 });
    await boot();
    sim.jam(1, true);
    const open = command('open', { compartment: 1 });
    await gw.send(deviceId, open);
    const ack = await gw.next(on.ack(open.id));
    const result = await gw.next(on.event('open_result', { commandId: open.id }));
    expect(ack.json).toMatchObject({ status: 'accepted' });
    expect(result.json).toMatchObject({ compartment: 1, result: 'jammed' });
    expect(Number(result.json?.['ts']) - Number(ack.json?.['ts'])).toBeGreaterThanOrEqual(75);
    expect(gw.messages.some(on.event('door', { compartment: 1 }))).toBe(false);
    expect(sim.physical(1)).toMatchObject({ door: 'closed', jammed: true });
  });

  it('keypad: the code goes up, keypad_reply open opens the door under the reply id; deny is shown', async () => {
    const { gw, sim, deviceId, boot } = await rig();
    await boot();
    const typed = sim.typeCode('482913');
    const keypad = await gw.next(on.event('keypad', { code: '482913' }));
    const requestId = String(keypad.json?.['requestId']);
    const reply = command('keypad_reply', { requestId, result: 'open', compartment: 3 });
    await gw.send(deviceId, reply);
    await expect(typed).resolves.toMatchObject({ id: reply.id, compartment: 3 });
    await gw.next(on.event('door', { door: 'open', compartment: 3, commandId: reply.id }));
    await gw.next(on.event('open_result', { commandId: reply.id, result: 'opened' }));

    const denied = sim.typeCode('000000');
    const second = await gw.next(on.event('keypad', { code: '000000' }));
    const deny = command('keypad_reply', { requestId: String(second.json?.['requestId']), result: 'deny', reason: 'invalid' });
    await gw.send(deviceId, deny);
    await denied;
    expect((await gw.next(on.ack(deny.id))).json).toMatchObject({ status: 'accepted' });
    expect(sim.lastKeypadDisplay).toBe('invalid');
  });

  it('drops a command without a usable id; acks unsupported types and schema failures as rejected', async () => {
    const { gw, sim, deviceId, boot } = await rig();
    await boot();
    const topic = `lg/v1/${deviceId}/cmd`;
    const dropped = new Promise((resolve) => sim.events.once('invalid_command', resolve));
    await gw.publish(topic, '{"id":"x","type":"open"}');
    await dropped;
    const now = Date.now();
    await gw.publish(topic, JSON.stringify({ id: 'c-unsupported', issuedAt: now, expiresAt: now + 9e3, type: 'selfdestruct' }));
    await gw.publish(topic, JSON.stringify({ id: 'c-no-compartment', issuedAt: now, expiresAt: now + 9e3, type: 'open' }));
    expect((await gw.next(on.ack('c-unsupported'))).json).toMatchObject({ status: 'rejected', reason: 'unsupported' });
    expect((await gw.next(on.ack('c-no-compartment'))).json).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(sim.stats.invalidCommands).toBe(3);
    expect(gw.messages.filter(on.channel('acks'))).toHaveLength(2);
    expect(sim.executedCommands).toEqual([]);
  });

  it('a malformed uplink from the simulator throws at its cause instead of being sent', async () => {
    const { sim, boot } = await rig();
    await boot();
    const before = sim.seq;
    await expect(sim.typeCode('12')).rejects.toThrow(/code/i);
    expect(sim.seq).toBe(before);
    expect(sim.queued).toHaveLength(0);
  });

  it('test hooks: republish resends the original bytes and seq; publishRaw bypasses validation', async () => {
    const { gw, sim, boot } = await rig();
    await boot();
    const mark = gw.mark();
    await sim.republish(2);
    const resent = await gw.next(on.channel('state'), mark);
    expect(resent.raw).toBe(gw.messages.find(on.channel('state'))?.raw);
    await sim.publishRaw('events', 'not json');
    expect((await gw.next((m) => m.raw === 'not json', mark)).channel).toBe('events');
  });
});
