import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, until, type TestGateway } from '../../helpers/gateway.js';
import { addCarrier, compartment, Courier, expectError, onlineLocker, tracking } from '../../helpers/parcels.js';
import { stopAllSims } from '../../helpers/sim.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterEach(async () => stopAllSims());
afterAll(async () => gw.stop());

const opensExecuted = (sim: { executedCommands: readonly string[] }) => sim.executedCommands.length;

describe('idempotent deposits', () => {
  it('a retry with the same Idempotency-Key returns 200 with the same deposit and opens no second door', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:3');
    const c = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const body = c.body(fx.lockerId);
    const first = await c.deposit(body, 'idem-key-0001');
    expect(first.statusCode).toBe(202);
    await c.waitDeposit(first.json().depositId, 'open');

    const retry = await c.deposit(body, 'idem-key-0001');
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({ ...first.json(), state: 'open', updatedAt: expect.any(Number) });
    expect(retry.headers['location']).toBe(`/v1/deposits/${first.json().depositId}`);
    const recent = (await gw.http.inject({ url: `/v1/lockers/${fx.lockerId}`, headers: { authorization: `Bearer ${fx.viewerToken}` } })).json().recentCommands;
    expect(recent.filter((cmd: { type: string }) => cmd.type === 'open')).toHaveLength(1);
    expect(opensExecuted(sim)).toBe(1);
    expect([2, 3].map((i) => sim.physical(i).door)).toEqual(['closed', 'closed']);
  });

  it('a retry without a key but with the same tracking number returns the same live deposit', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:3');
    const c = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const body = c.body(fx.lockerId);
    const first = await c.deposit(body);
    const retry = await c.deposit(body);
    expect([first.statusCode, retry.statusCode]).toEqual([202, 200]);
    expect(retry.json().depositId).toBe(first.json().depositId);
    await c.waitDeposit(first.json().depositId, 'open');
    expect(opensExecuted(sim)).toBe(1);
    expect((await compartment(gw, fx, 2)).state).toBe('available');
  });

  it('the same key with another tracking number or locker → 409 IDEMPOTENCY_KEY_REUSED', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:3');
    const other = await onlineLocker(gw, 'S:1');
    const c = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const body = c.body(fx.lockerId);
    expect((await c.deposit(body, 'idem-key-0002')).statusCode).toBe(202);
    expectError(await c.deposit({ ...body, trackingNumber: tracking() }, 'idem-key-0002'), 409, 'IDEMPOTENCY_KEY_REUSED');
    expectError(await c.deposit({ ...body, lockerId: other.fx.lockerId }, 'idem-key-0002'), 409, 'IDEMPOTENCY_KEY_REUSED');
    await until(() => opensExecuted(sim), (n) => n === 1);
    expect(opensExecuted(other.sim)).toBe(0);
    // Keys are per carrier: another carrier may use the same one.
    const c2 = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    expect((await c2.deposit(c2.body(fx.lockerId), 'idem-key-0002')).statusCode).toBe(202);
  });

  it('a new deposit with the tracking number of a failed one is a new deposit', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:2');
    const c = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const body = c.body(fx.lockerId);
    const first = await c.deposit(body);
    await c.waitDeposit(first.json().depositId, 'open');
    sim.closeDoor(first.json().compartment);
    await c.waitDeposit(first.json().depositId, 'failed');
    const again = await c.deposit(body);
    expect(again.statusCode).toBe(202);
    expect(again.json().depositId).not.toBe(first.json().depositId);
  });
});

describe('concurrent deposits', () => {
  it('50 at once on a 24-compartment locker: exactly 24 succeed in 24 distinct compartments, 26 get NO_COMPARTMENT_AVAILABLE', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:8,M:10,L:6');
    const c = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const results = await Promise.all(Array.from({ length: 50 }, () => c.deposit(c.body(fx.lockerId, { size: 'S' }))));

    const won = results.filter((r) => r.statusCode === 202).map((r) => r.json());
    const lost = results.filter((r) => r.statusCode !== 202);
    expect(won).toHaveLength(24);
    expect(new Set(won.map((d) => d.compartment))).toEqual(new Set(Array.from({ length: 24 }, (_, i) => i + 1)));
    expect(new Set(won.map((d) => d.depositId)).size).toBe(24);
    expect(lost).toHaveLength(26);
    for (const r of lost) expectError(r, 409, 'NO_COMPARTMENT_AVAILABLE');

    // Every winner's door opens, and only theirs.
    await Promise.all(won.map((d) => c.waitDeposit(d.depositId, 'open')));
    expect(opensExecuted(sim)).toBe(24);
    for (let i = 1; i <= 24; i++) expect(sim.physical(i).door).toBe('open');
  });
});
