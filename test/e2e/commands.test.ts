import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueCommand, toWire, waitForCommand } from '../../src/app/commands.js';
import { sweep } from '../../src/app/sweeper.js';
import { provisionLocker, startTestGateway, until, type Fixture, type TestGateway } from '../helpers/gateway.js';
import { simFor, stopAllSims } from '../helpers/sim.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterEach(async () => stopAllSims());
afterAll(async () => gw.stop());

const LAYOUT = 'S:4,M:2,L:2';
const SIM_LAYOUT = [
  { size: 'S' as const }, { size: 'S' as const }, { size: 'S' as const }, { size: 'S' as const },
  { size: 'M' as const }, { size: 'M' as const }, { size: 'L' as const }, { size: 'L' as const },
];

async function onlineLocker(extra = {}) {
  const fx = await provisionLocker(gw, LAYOUT);
  const sim = simFor(gw.mqttUrl, fx, SIM_LAYOUT, extra);
  await sim.start();
  await until(() => gw.ctx.store.read((tx) => tx.devices.get(fx.deviceId)?.bootId), (b) => b === sim.bootId);
  return { fx, sim };
}

function open(fx: Fixture, n: number, token = fx.operatorToken, query = '') {
  return gw.http.inject({ method: 'POST', url: `/v1/lockers/${fx.lockerId}/compartments/${n}/open${query}`, headers: { authorization: `Bearer ${token}` }, payload: { reason: 'cleaning' } });
}

describe('maintenance open (HTTP → MQTT → door sensor)', () => {
  it('opens the door and answers with the finished command', async () => {
    const { fx, sim } = await onlineLocker();
    const res = await open(fx, 3);
    expect(res.statusCode).toBe(200);
    const { command } = res.json();
    expect(command).toMatchObject({ type: 'open', state: 'done', outcome: 'opened', params: { compartment: 3 }, attempts: 1 });
    expect(sim.physical(3).door).toBe('open');
    expect(sim.executedCommands).toEqual([command.id]);
    const detail = (await gw.http.inject({ url: `/v1/lockers/${fx.lockerId}`, headers: { authorization: `Bearer ${fx.viewerToken}` } })).json();
    expect(detail.compartments[2]).toMatchObject({ index: 3, state: 'available', door: 'open' });
    // A commanded opening is not a forced door.
    const alarms = await gw.ctx.store.read((tx) => tx.alarms.list({ lockerId: fx.lockerId, limit: 10 }));
    expect(alarms).toEqual([]);
    const audit = await gw.ctx.store.read((tx) => tx.audit.list(`${fx.lockerId}/3`, 5));
    expect(audit[0]).toMatchObject({ action: 'compartment.maintenance_open', details: { reason: 'cleaning', commandId: command.id } });
  });

  it('reports a jammed door as failed with a door_jammed alarm', async () => {
    const { fx, sim } = await onlineLocker();
    sim.jam(2, true);
    const res = await open(fx, 2);
    expect(res.statusCode).toBe(200);
    expect(res.json().command).toMatchObject({ state: 'failed', outcome: 'jammed' });
    const alarms = await gw.ctx.store.read((tx) => tx.alarms.list({ lockerId: fx.lockerId, limit: 10 }));
    expect(alarms.map((a) => [a.kind, a.compartment])).toEqual([['door_jammed', 2]]);
  });

  it('refuses with stable error codes: no token 401, viewer 403, offline 503, unknown 404', async () => {
    const fx = await provisionLocker(gw, LAYOUT);
    const noToken = await gw.http.inject({ method: 'POST', url: `/v1/lockers/${fx.lockerId}/compartments/1/open` });
    expect([noToken.statusCode, noToken.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const viewer = await open(fx, 1, fx.viewerToken);
    expect([viewer.statusCode, viewer.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const offline = await open(fx, 1);
    expect([offline.statusCode, offline.json().error.code]).toEqual([503, 'LOCKER_OFFLINE']);
    const unknown = await gw.http.inject({ method: 'POST', url: '/v1/lockers/lkr-nope/compartments/1/open', headers: { authorization: `Bearer ${fx.operatorToken}` } });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'LOCKER_NOT_FOUND']);
    const badIndex = await open(fx, 99);
    expect([badIndex.statusCode, badIndex.json().error.code]).toEqual([404, 'COMPARTMENT_NOT_FOUND']);
    const invalid = await gw.http.inject({ method: 'POST', url: `/v1/lockers/${fx.lockerId}/compartments/zero/open`, headers: { authorization: `Bearer ${fx.operatorToken}` } });
    expect([invalid.statusCode, invalid.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe('delivery, dedup and expiry', () => {
  it('delivers commands queued while the locker was offline when it comes back', async () => {
    const fx = await provisionLocker(gw, LAYOUT);
    const queued = await issueCommand(gw.ctx, { lockerId: fx.lockerId, type: 'open', params: { compartment: 6 }, actor: 'test' });
    expect(queued.state).toBe('queued');
    const sim = simFor(gw.mqttUrl, fx, SIM_LAYOUT);
    await sim.start();
    const done = await waitForCommand(gw.ctx, queued.id, 5000);
    expect(done).toMatchObject({ state: 'done', outcome: 'opened', attempts: 1 });
    expect(sim.physical(6).door).toBe('open');
  });

  it('executes a command delivered twice only once', async () => {
    const { fx, sim } = await onlineLocker();
    const cmd = await issueCommand(gw.ctx, { lockerId: fx.lockerId, type: 'open', params: { compartment: 1 }, actor: 'test' });
    await waitForCommand(gw.ctx, cmd.id, 5000);
    const acks: boolean[] = [];
    sim.events.on('ack', (a) => acks.push(a.duplicate === true));
    await gw.mqtt.send(fx.deviceId, toWire(cmd));
    await until(() => acks.length, (n) => n >= 1);
    expect(acks).toEqual([true]);
    expect(sim.executedCommands.filter((id) => id === cmd.id)).toHaveLength(1);
    expect((await gw.ctx.store.read((tx) => tx.commands.get(cmd.id)))?.state).toBe('done');
  });

  it('never sends a command that expired while the locker was offline', async () => {
    const clocked = await startTestGateway({ manualClock: true });
    try {
      const fx = await provisionLocker(clocked, LAYOUT);
      const cmd = await issueCommand(clocked.ctx, { lockerId: fx.lockerId, type: 'open', params: { compartment: 2 }, actor: 'test', ttlMs: 30_000 });
      clocked.clock!.advance(31_000);
      await sweep(clocked.ctx);
      expect((await clocked.ctx.store.read((tx) => tx.commands.get(cmd.id)))).toMatchObject({ state: 'expired', outcome: 'expired_undelivered', attempts: 0 });
      const sim = simFor(clocked.mqttUrl, fx, SIM_LAYOUT, { clock: clocked.clock });
      await sim.start();
      await sim.sendTelemetry(); // a round trip after the hello: anything queued would have come first
      expect(sim.stats.commandsReceived).toBe(0);
      expect(sim.physical(2).door).toBe('closed');
    } finally {
      await stopAllSims();
      await clocked.stop();
    }
  });

  it('a stale open that reaches the controller after its expiry is refused, not executed', async () => {
    // The gateway's clock runs 5 minutes behind the controller's: every command arrives stale.
    const clocked = await startTestGateway({ manualClock: true });
    try {
      clocked.clock!.set(Date.now() - 5 * 60_000);
      const fx = await provisionLocker(clocked, LAYOUT);
      const sim = simFor(clocked.mqttUrl, fx, SIM_LAYOUT);
      await sim.start();
      await until(() => clocked.mqtt.isConnected(fx.deviceId), Boolean);
      const cmd = await issueCommand(clocked.ctx, { lockerId: fx.lockerId, type: 'open', params: { compartment: 4 }, actor: 'test' });
      const ended = await waitForCommand(clocked.ctx, cmd.id, 5000);
      expect(ended).toMatchObject({ state: 'expired', outcome: 'rejected_expired' });
      expect(sim.executedCommands).not.toContain(cmd.id);
      expect(sim.physical(4).door).toBe('closed');
    } finally {
      await stopAllSims();
      await clocked.stop();
    }
  });

  it('ping is done when acknowledged', async () => {
    const { fx } = await onlineLocker();
    const cmd = await issueCommand(gw.ctx, { lockerId: fx.lockerId, type: 'ping', params: {}, actor: 'test' });
    expect(await waitForCommand(gw.ctx, cmd.id, 5000)).toMatchObject({ state: 'done', outcome: 'acknowledged' });
  });
});

describe('doors and alarms', () => {
  it('raises door_forced for a forced door, lists it, and lets an operator acknowledge it once', async () => {
    const { fx, sim } = await onlineLocker();
    sim.forceOpen(8);
    const alarm = await until(
      () => gw.ctx.store.read((tx) => tx.alarms.live(fx.lockerId, 8, 'door_forced')),
      (a) => a !== undefined,
    );
    const list = await gw.http.inject({ url: `/v1/alarms?state=open&lockerId=${fx.lockerId}`, headers: { authorization: `Bearer ${fx.viewerToken}` } });
    expect(list.json().alarms.map((a: { id: string }) => a.id)).toEqual([alarm!.id]);
    const viewerAck = await gw.http.inject({ method: 'POST', url: `/v1/alarms/${alarm!.id}/ack`, headers: { authorization: `Bearer ${fx.viewerToken}` } });
    expect(viewerAck.statusCode).toBe(403);
    const ack = await gw.http.inject({ method: 'POST', url: `/v1/alarms/${alarm!.id}/ack`, headers: { authorization: `Bearer ${fx.operatorToken}` }, payload: { note: 'checked on site' } });
    expect(ack.statusCode).toBe(200);
    expect(ack.json().alarm).toMatchObject({ state: 'acknowledged', acknowledgedBy: expect.stringMatching(/^operator:tok-/) });
    const again = await gw.http.inject({ method: 'POST', url: `/v1/alarms/${alarm!.id}/ack`, headers: { authorization: `Bearer ${fx.operatorToken}` } });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'ALARM_ALREADY_CLOSED']);
  });

  it('raises door_left_open after the configured time and clears it when the door closes', async () => {
    const clocked = await startTestGateway({ manualClock: true, env: { LOCKERGATE_DOOR_LEFT_OPEN_S: '60' } });
    try {
      const fx = await provisionLocker(clocked, LAYOUT);
      const sim = simFor(clocked.mqttUrl, fx, SIM_LAYOUT, { clock: clocked.clock });
      await sim.start();
      await until(() => clocked.mqtt.isConnected(fx.deviceId), Boolean);
      const cmd = await issueCommand(clocked.ctx, { lockerId: fx.lockerId, type: 'open', params: { compartment: 5 }, actor: 'test' });
      await waitForCommand(clocked.ctx, cmd.id, 5000);
      clocked.clock!.advance(59_000);
      await sweep(clocked.ctx);
      expect(await clocked.ctx.store.read((tx) => tx.alarms.live(fx.lockerId, 5, 'door_left_open'))).toBeUndefined();
      clocked.clock!.advance(2_000);
      await sweep(clocked.ctx);
      expect(await clocked.ctx.store.read((tx) => tx.alarms.live(fx.lockerId, 5, 'door_left_open'))).toMatchObject({ state: 'open' });
      sim.closeDoor(5);
      await until(() => clocked.ctx.store.read((tx) => tx.alarms.live(fx.lockerId, 5, 'door_left_open')), (a) => a === undefined);
    } finally {
      await stopAllSims();
      await clocked.stop();
    }
  });
});

describe('MQTT over WebSocket', () => {
  it('serves the same protocol at /mqtt on the HTTP port', async () => {
    const fx = await provisionLocker(gw, LAYOUT);
    const sim = simFor(`ws://127.0.0.1:${gw.httpPort}/mqtt`, fx, SIM_LAYOUT);
    await sim.start();
    const res = await open(fx, 7);
    expect(res.json().command).toMatchObject({ state: 'done', outcome: 'opened' });
  });
});
