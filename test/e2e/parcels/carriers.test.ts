import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { addCarrier, Courier, expectError, onlineLocker } from '../../helpers/parcels.js';
import { stopAllSims } from '../../helpers/sim.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterEach(async () => stopAllSims());
afterAll(async () => gw.stop());

describe('carrier API keys', () => {
  it('authenticate the courier API: no key, a wrong key or an operator token is 401 UNAUTHENTICATED', async () => {
    const { fx } = await onlineLocker(gw, 'S:2');
    const carrier = await addCarrier(gw, fx.operatorToken);
    expect(carrier.apiKey).toMatch(/^lgc_/);
    const body = new Courier(gw, carrier).body(fx.lockerId);
    const asIf = (authorization?: string) =>
      gw.http.inject({ method: 'POST', url: '/v1/deposits', payload: body, headers: authorization ? { authorization } : {} });

    expectError(await asIf(), 401, 'UNAUTHENTICATED');
    expectError(await asIf(`Bearer ${carrier.apiKey.slice(0, -2)}xx`), 401, 'UNAUTHENTICATED');
    expectError(await asIf(`Bearer lgc_${'A'.repeat(32)}`), 401, 'UNAUTHENTICATED');
    expectError(await asIf(`Bearer ${fx.operatorToken}`), 401, 'UNAUTHENTICATED');
    expectError(await asIf(carrier.apiKey), 401, 'UNAUTHENTICATED'); // no "Bearer "
    const parcelRead = await gw.http.inject({ url: '/v1/parcels/pcl-aaaaaaaaaaaa', headers: { authorization: `Bearer ${fx.operatorToken}` } });
    expectError(parcelRead, 401, 'UNAUTHENTICATED');
    // Nothing was reserved by the refused requests; the right key goes through.
    const ok = await asIf(`Bearer ${carrier.apiKey}`);
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toMatchObject({ compartment: 1, state: 'opening' });
  });

  it('is not an operator token: a carrier key cannot use the operator API', async () => {
    const { fx } = await onlineLocker(gw, 'S:1');
    const carrier = await addCarrier(gw, fx.operatorToken);
    const res = await gw.http.inject({ url: `/v1/lockers/${fx.lockerId}`, headers: { authorization: `Bearer ${carrier.apiKey}` } });
    expectError(res, 401, 'UNAUTHENTICATED');
    const add = await gw.http.inject({ method: 'POST', url: '/v1/carriers', headers: { authorization: `Bearer ${carrier.apiKey}` }, payload: { name: 'Rogue' } });
    expectError(add, 401, 'UNAUTHENTICATED');
  });
});

describe('carriers see only their own deposits and parcels', () => {
  it("answers another carrier's ids with 404 DEPOSIT_NOT_FOUND / PARCEL_NOT_FOUND and changes nothing", async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:2');
    const a = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const b = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const open = await a.openDeposit(fx.lockerId);

    expectError(await b.getDeposit(open.depositId), 404, 'DEPOSIT_NOT_FOUND');
    expectError(await b.cancel(open.depositId), 404, 'DEPOSIT_NOT_FOUND');
    expectError(await b.resize(open.depositId), 404, 'DEPOSIT_NOT_FOUND');
    expectError(await b.confirm(open.depositId), 404, 'DEPOSIT_NOT_FOUND');
    expectError(await b.getParcel(open.parcelId), 404, 'PARCEL_NOT_FOUND');
    // B's refusals left A's deposit alone: it still completes.
    sim.placeParcel(open.compartment);
    sim.closeDoor(open.compartment);
    await a.waitDeposit(open.depositId, 'deposited');
    expectError(await b.resendCode(open.parcelId), 404, 'PARCEL_NOT_FOUND');
    expectError(await b.retrieve(open.parcelId), 404, 'PARCEL_NOT_FOUND');
    expect((await a.getParcel(open.parcelId)).json().parcel.state).toBe('deposited');
    // An id that does not exist at all reads the same as someone else's.
    expectError(await b.getDeposit('dep-aaaaaaaaaaaa'), 404, 'DEPOSIT_NOT_FOUND');
  });

  it('lets two carriers use the same tracking number without seeing each other', async () => {
    const { fx } = await onlineLocker(gw, 'S:2');
    const a = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const b = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const first = await a.deposit(a.body(fx.lockerId, { trackingNumber: 'SHARED-0001' }));
    const second = await b.deposit(b.body(fx.lockerId, { trackingNumber: 'SHARED-0001' }));
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(second.json().depositId).not.toBe(first.json().depositId);
    expect([first.json().compartment, second.json().compartment]).toEqual([1, 2]);
  });
});

describe('per-carrier quota', () => {
  it('refuses a deposit beyond the quota with 409 CARRIER_QUOTA_EXCEEDED, and frees it when a parcel leaves', async () => {
    const { fx } = await onlineLocker(gw, 'S:4');
    const limited = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const other = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const put = await gw.http.inject({
      method: 'PUT',
      url: `/v1/carriers/${limited.carrier.id}/quotas/${fx.lockerId}`,
      headers: { authorization: `Bearer ${fx.operatorToken}` },
      payload: { maxCompartments: 2 },
    });
    expect(put.json()).toEqual({ carrierId: limited.carrier.id, lockerId: fx.lockerId, maxCompartments: 2 });

    const first = await limited.openDeposit(fx.lockerId);
    expect((await limited.deposit(limited.body(fx.lockerId))).statusCode).toBe(202);
    const third = await limited.deposit(limited.body(fx.lockerId));
    expectError(third, 409, 'CARRIER_QUOTA_EXCEEDED');
    expect(third.json().error.details).toEqual({ quota: 2 });
    // The quota is the carrier's, not the locker's.
    expect((await other.deposit(other.body(fx.lockerId))).statusCode).toBe(202);
    // A cancelled deposit no longer holds a compartment against the quota.
    expect((await limited.cancel(first.depositId)).json().state).toBe('cancelled');
    expect((await limited.deposit(limited.body(fx.lockerId))).statusCode).toBe(202);
  });

  it('needs an operator to set, and 404 CARRIER_NOT_FOUND for an unknown carrier', async () => {
    const { fx } = await onlineLocker(gw, 'S:1');
    const carrier = await addCarrier(gw, fx.operatorToken);
    const asViewer = await gw.http.inject({
      method: 'PUT', url: `/v1/carriers/${carrier.id}/quotas/${fx.lockerId}`, headers: { authorization: `Bearer ${fx.viewerToken}` }, payload: { maxCompartments: 1 },
    });
    expectError(asViewer, 403, 'FORBIDDEN');
    const unknown = await gw.http.inject({
      method: 'PUT', url: `/v1/carriers/car-nope/quotas/${fx.lockerId}`, headers: { authorization: `Bearer ${fx.operatorToken}` }, payload: { maxCompartments: 1 },
    });
    expectError(unknown, 404, 'CARRIER_NOT_FOUND');
  });
});
