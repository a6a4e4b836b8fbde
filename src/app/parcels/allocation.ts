import { fits, SIZE_ORDER } from '../../domain/parcel.js';
import type { Compartment, SizeClass } from '../../domain/locker.js';
import type { Tx } from '../ports.js';

/**
 * A compartment a new parcel may be put in: free in the system's eyes, closed, sensed empty, and
 * no deposit under way (`live`: the locker's compartments with one, read once per locker).
 */
function isFree(c: Compartment, live: ReadonlySet<number>): boolean {
  return c.state === 'available' && c.door !== 'open' && c.occupancy !== 'present' && !live.has(c.index);
}

/** Best fit: the smallest free compartment that fits, lowest index first among equals. */
export function bestFit(tx: Tx, lockerId: string, size: SizeClass, exclude: ReadonlySet<number> = new Set()): Compartment | undefined {
  let best: Compartment | undefined;
  // A household's own compartment of a mailbox bank is never handed to anyone else.
  const households = tx.households.compartmentsOf(lockerId);
  const live = tx.deposits.liveCompartments(lockerId);
  for (const c of tx.lockers.compartments(lockerId)) {
    if (exclude.has(c.index) || households.has(c.index) || !fits(size, c.size) || !isFree(c, live)) continue;
    if (!best || SIZE_ORDER[c.size] < SIZE_ORDER[best.size]) best = c;
  }
  return best;
}

/** A free compartment strictly larger than `than` (for a parcel that did not fit). */
export function nextLarger(tx: Tx, lockerId: string, than: SizeClass, exclude: ReadonlySet<number>): Compartment | undefined {
  const larger = (['XS', 'S', 'M', 'L', 'XL'] as const).filter((s) => SIZE_ORDER[s] > SIZE_ORDER[than]);
  for (const s of larger) {
    const c = bestFit(tx, lockerId, s, exclude);
    if (c) return c;
  }
  return undefined;
}

export interface Alternative {
  lockerId: string;
  name: string;
  siteId: string;
  scope: 'same_site' | 'same_region';
  freeFitting: number;
}

/**
 * Lockers nearby with a fitting free compartment whose controller is online (a courier sent there
 * must be able to deposit): same site first, then the same region.
 */
export function alternatives(tx: Tx, lockerId: string, size: SizeClass, isConnected: (deviceId: string) => boolean, limit = 5): Alternative[] {
  const locker = tx.lockers.get(lockerId);
  const site = locker ? tx.sites.get(locker.siteId) : undefined;
  if (!locker || !site) return [];
  const out: Alternative[] = [];
  const consider = (siteId: string, scope: Alternative['scope']) => {
    for (const l of tx.lockers.list({ siteId })) {
      if (l.id === lockerId || l.status !== 'active' || out.length >= limit) continue;
      const device = tx.devices.byLocker(l.id);
      if (!device || !isConnected(device.id)) continue;
      const households = tx.households.compartmentsOf(l.id);
      const live = tx.deposits.liveCompartments(l.id);
      const freeFitting = tx.lockers.compartments(l.id).filter((c) => !households.has(c.index) && fits(size, c.size) && isFree(c, live)).length;
      if (freeFitting > 0) out.push({ lockerId: l.id, name: l.name, siteId, scope, freeFitting });
    }
  };
  consider(site.id, 'same_site');
  for (const other of tx.sites.list()) if (other.regionCode === site.regionCode && other.id !== site.id) consider(other.id, 'same_region');
  return out;
}
