import { describe, expect, it } from 'vitest';
import type { CompartmentView, GatewayApi, LockerView } from '../../device-sim/api/gateway-api.js';
import { runOracle } from '../../device-sim/run/oracle.js';
import type { TruthDump } from '../../device-sim/run/world.js';

const compartment = (index: number, over: Partial<CompartmentView> = {}): CompartmentView => ({
  index, size: 'M', hasOccupancySensor: true, state: 'available', door: 'closed', occupancy: 'absent', ...over,
});

/** The gateway's answers, as GET /v1/lockers/:id and GET /v1/parcels/:id would give them. */
function fakeApi(lockers: Record<string, CompartmentView[]>, parcels: Record<string, { state: string; compartment: number }> = {}): GatewayApi {
  return {
    locker: async (_t: string, id: string): Promise<LockerView> => ({ id, kind: 'smart_locker', compartments: lockers[id] ?? [], device: { id: `d-${id}`, online: true } }),
    parcel: async (_k: string, id: string) => ({ parcel: { parcelId: id, lockerId: 'l1', holdUntil: null, ...parcels[id]! } }),
  } as unknown as GatewayApi;
}

const truth = (over: Partial<TruthDump['lockers'][number]> = {}, rest: Partial<TruthDump> = {}): TruthDump => ({
  lockers: [{ lockerId: 'l1', n: 3, online: true, present: [], open: [], blind: [], ...over }],
  parcels: [],
  faults: [],
  ...rest,
});

describe('oracle', () => {
  it('agrees when occupied ⇔ a parcel is physically inside, and sensed state matches', async () => {
    const api = fakeApi({ l1: [compartment(1, { state: 'occupied', occupancy: 'present' }), compartment(2), compartment(3, { state: 'out_of_service' })] }, { p1: { state: 'deposited', compartment: 1 } });
    const r = await runOracle({ api, token: 't', carrierKeys: ['k'], truths: [truth({ present: [[1, 'p1']] }, { parcels: [{ parcelId: 'p1', carrier: 0, fate: 'in_locker', lockerId: 'l1', compartment: 1 }] })] });
    expect(r).toMatchObject({ lockers: 1, compartments: 3, parcels: 1, outOfService: 1, mismatches: [], unexplained: 0 });
  });

  it('reports each kind of mismatch, unexplained when no injected fault accounts for it', async () => {
    const api = fakeApi({ l1: [compartment(1, { state: 'occupied', occupancy: 'present' }), compartment(2, { state: 'reserved' }), compartment(3, { door: 'open' })] }, { p9: { state: 'cancelled', compartment: 3 } });
    const r = await runOracle({
      api, token: 't', carrierKeys: ['k'],
      truths: [truth({ present: [[3, 'p9']] }, { parcels: [{ parcelId: 'p9', carrier: 0, fate: 'in_locker', lockerId: 'l1', compartment: 3 }], faults: [{ kind: 'drop', lockerId: 'l1', at: 1 }] })],
    });
    expect(r.mismatches.map((m) => [m.kind, m.compartment ?? null, m.explainedBy])).toEqual([
      ['phantom_parcel', 1, []],
      ['sensed_occupancy', 1, []],
      ['stuck_reserved', 2, []],
      ['unrecorded_parcel', 3, []],
      ['sensed_door', 3, []],
      ['sensed_occupancy', 3, []],
      ['parcel_state', 3, []],
    ]);
    expect(r.unexplained).toBe(7); // a connection drop explains nothing: the gateway must absorb it
  });

  it('explains by the fault at the same compartment (theft) or the same locker (power loss), not elsewhere', async () => {
    const api = fakeApi({ l1: [compartment(1, { state: 'occupied', occupancy: 'absent' }), compartment(2, { state: 'occupied', occupancy: 'absent' }), compartment(3, { state: 'reserved' })] });
    const r = await runOracle({
      api, token: 't', carrierKeys: [],
      truths: [truth({}, { faults: [{ kind: 'theft', lockerId: 'l1', compartment: 1, at: 1 }, { kind: 'power_loss', lockerId: 'l2', at: 1 }, { kind: 'door_left_open', lockerId: 'l1', compartment: 3, at: 1 }] })],
    });
    expect(r.mismatches.map((m) => [m.kind, m.compartment, m.explainedBy])).toEqual([
      ['phantom_parcel', 1, ['theft']],
      ['phantom_parcel', 2, []],
      ['stuck_reserved', 3, ['door_left_open']],
    ]);
    expect([r.explained, r.unexplained]).toEqual([2, 1]);
  });

  it('does not judge occupancy a compartment cannot sense', async () => {
    const api = fakeApi({ l1: [compartment(1, { hasOccupancySensor: false, occupancy: 'present' }), compartment(2), compartment(3)] });
    const r = await runOracle({ api, token: 't', carrierKeys: [], truths: [truth({ blind: [1] })] });
    expect(r.mismatches).toEqual([]);
  });
});
