import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addCarrier } from '../../src/app/carriers.js';
import { applyDeviceEvent } from '../../src/app/device-events.js';
import { applyHello } from '../../src/app/device-session.js';
import { applyCommandAck, applySnapshot } from '../../src/app/device-uplink.js';
import { startDeposit } from '../../src/app/parcels/deposits.js';
import type { DeviceEventT } from '../../protocol/schemas/events.js';
import { connect, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness('M:2');
  await connect(h);
  expect(await applyHello(h.ctx, h.deviceId, h.controller.hello())).toBe('applied');
});
afterEach(async () => h.cleanup());

type EventBody = Record<string, unknown> & { type: DeviceEventT['type'] };
const event = (body: EventBody) => applyDeviceEvent(h.ctx, h.deviceId, { ...h.controller.envelope(), ...body } as DeviceEventT);
const deposit = (id: string) => h.store.read((tx) => tx.deposits.get(id));
const compartment = (i: number) => h.store.read((tx) => tx.lockers.compartment(h.lockerId, i));

/** A courier's deposit whose door the controller opened: the gateway saw the door open. */
async function doorOpenedForDeposit(): Promise<{ depositId: string; compartment: number }> {
  const { carrier } = await addCarrier(h.ctx, { name: 'Carrier' }, 'test');
  const { deposit: d } = await startDeposit(h.ctx, carrier, { lockerId: h.lockerId, size: 'M', trackingNumber: 'SF100', recipientPhone: '+8613900000000' });
  await applyCommandAck(h.ctx, h.deviceId, { ...h.controller.envelope(), commandId: d.commandId!, status: 'accepted' });
  await event({ type: 'door', compartment: d.compartment, door: 'open', commandId: d.commandId });
  await event({ type: 'open_result', commandId: d.commandId, compartment: d.compartment, result: 'opened' });
  expect((await deposit(d.id))?.state).toBe('open');
  return { depositId: d.id, compartment: d.compartment };
}

const snapshot = (door: 'open' | 'closed', occupancy: 'present' | 'absent', at: number) =>
  applySnapshot(h.ctx, h.deviceId, {
    ...h.controller.envelope(),
    compartments: [1, 2].map((index) => (index === at ? { index, door, occupancy } : { index, door: 'closed' as const, occupancy: 'absent' as const })),
  });

describe('a door seen shut only in a reconnect snapshot (its door-closed event lost)', () => {
  it('completes the deposit when the snapshot senses the parcel, as the event would have', async () => {
    const d = await doorOpenedForDeposit();
    expect(await snapshot('closed', 'present', d.compartment)).toBe('applied');
    expect(await deposit(d.depositId)).toMatchObject({ state: 'deposited' });
    expect(await compartment(d.compartment)).toMatchObject({ state: 'occupied', door: 'closed', occupancy: 'present' });
    // The lost event replayed after all changes nothing more.
    await event({ type: 'door', compartment: d.compartment, door: 'closed' });
    expect(await deposit(d.depositId)).toMatchObject({ state: 'deposited' });
  });

  it('fails it when the snapshot senses the compartment empty', async () => {
    const d = await doorOpenedForDeposit();
    await snapshot('closed', 'absent', d.compartment);
    expect(await deposit(d.depositId)).toMatchObject({ state: 'failed', reason: 'door_closed_empty' });
  });

  it('leaves it open while the snapshot still shows the door open', async () => {
    const d = await doorOpenedForDeposit();
    await snapshot('open', 'present', d.compartment);
    expect(await deposit(d.depositId)).toMatchObject({ state: 'open' });
  });
});
