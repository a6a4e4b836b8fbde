import type { GatewayApi } from '../api/gateway-api.js';
import type { World } from './world.js';

/**
 * A fleet file used before comes with parcels from earlier runs. The simulator cannot know
 * what is inside, so it takes the gateway's word once, before its controllers power up: an
 * occupied compartment holds a parcel (of unknown id), a door the gateway saw open is open.
 * Compartments left mid-operation (reserved, open) are marked `inherited` for the oracle.
 */
export async function adoptGatewayView(api: GatewayApi, token: string, world: World, concurrency = 16): Promise<void> {
  const lockers = [...world.lockers.values()];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, lockers.length) }, async () => {
    while (next < lockers.length) {
      const locker = lockers[next++]!;
      const view = await api.locker(token, locker.lockerId);
      const ctrl = locker.controller;
      for (const c of view.compartments) {
        const truth = locker.compartments[c.index - 1];
        if (!truth) continue;
        const present = c.state === 'occupied' || (c.state !== 'available' && c.occupancy === 'present');
        const open = c.door === 'open';
        // Before the first start() these changes send nothing; they shape the first snapshot.
        if (present || open) ctrl.forceOpen(c.index);
        if (present) {
          ctrl.placeParcel(c.index);
          truth.content = `prior-${locker.lockerId}-${c.index}`;
        }
        if (!open) ctrl.closeDoor(c.index);
        if ((c.state !== 'available' && c.state !== 'occupied') || open) world.record('inherited', locker.lockerId, { compartment: c.index });
      }
    }
  }));
}
