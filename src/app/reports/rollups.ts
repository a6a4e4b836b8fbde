import { shanghaiDay } from '../../domain/calendar.js';
import type { Parcel } from '../../domain/parcel.js';
import type { Tx } from '../ports.js';
import type { RollupKey } from './ports.js';
import { regionChain } from './regions.js';

/**
 * Incremental daily rollups, called inside the transaction of the parcel transition they count
 * (src/app/parcels/lifecycle.ts, expiry.ts), so a report never disagrees with the parcels it
 * counts. Each writes one row for the locker's region and one for each ancestor (docs/adr/0005).
 */
function keysFor(tx: Tx, parcel: Parcel, day: string): RollupKey[] {
  const locker = tx.lockers.get(parcel.lockerId);
  const site = locker ? tx.sites.get(locker.siteId) : undefined;
  if (!locker || !site) return [];
  const chain = regionChain(tx, site.regionCode);
  return chain.map((regionCode, i) => ({ regionCode, parentCode: chain[i + 1] ?? null, day, channel: locker.kind }));
}

/** A parcel went into a locker: one more locker delivery for its carrier, region and Shanghai day. */
export function recordLockerDelivery(tx: Tx, parcel: Parcel, now: number): void {
  const day = shanghaiDay(now);
  for (const key of keysFor(tx, parcel, day)) {
    tx.rollups.addDeliveries(key, parcel.carrierId, 1);
    // A volume report sent earlier that day may now be below the carrier's own locker deposits.
    tx.volumes.flagIfBelowLockerDeliveries(parcel.carrierId, key.regionCode, day);
  }
}

/** A resident collected the parcel: its dwell time (deposit → pickup), counted on the pickup day. */
export function recordPickup(tx: Tx, parcel: Parcel, now: number): void {
  if (parcel.state !== 'picked_up' || parcel.depositedAt === null) return; // retrievals are not pickups
  for (const key of keysFor(tx, parcel, shanghaiDay(now))) tx.rollups.addPickup(key, now - parcel.depositedAt);
}

/** The parcel's hold time ran out. */
export function recordExpiry(tx: Tx, parcel: Parcel, now: number): void {
  for (const key of keysFor(tx, parcel, shanghaiDay(now))) tx.rollups.addExpiry(key);
}
