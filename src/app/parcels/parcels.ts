import { LockergateError } from '../../domain/errors.js';
import type { ParcelEvent } from '../../domain/parcel.js';
import type { AppContext } from '../context.js';
import { issuePickupCode } from './codes.js';
import { parcelSummary, sendCode } from './lifecycle.js';

export interface ParcelView {
  parcel: Record<string, unknown>;
  depositId: string | null;
  timeline: ParcelEvent[];
}

/** A carrier's view of one of its parcels: masked phone, state, and every transition with its time. */
export async function getParcel(ctx: AppContext, carrierId: string, id: string): Promise<ParcelView> {
  const view = await ctx.store.read((tx) => {
    const p = tx.parcels.get(id);
    if (!p || p.carrierId !== carrierId) return undefined;
    return { parcel: parcelSummary(p), depositId: tx.deposits.byParcel(p.id)?.id ?? null, timeline: tx.parcels.events(p.id) };
  });
  if (!view) throw new LockergateError('PARCEL_NOT_FOUND');
  return view;
}

/** A new code for a parcel waiting for pickup; the old one stops working at once. */
export async function resendCode(ctx: AppContext, carrierId: string, id: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.transact((tx) => {
    const p = tx.parcels.get(id);
    if (!p || p.carrierId !== carrierId) throw new LockergateError('PARCEL_NOT_FOUND');
    if (p.state !== 'deposited') throw new LockergateError('PARCEL_NOT_COLLECTABLE', undefined, { state: p.state });
    const code = issuePickupCode(ctx, tx, p, now);
    tx.parcels.addEvent({ parcelId: p.id, at: now, type: 'code_reissued', details: {} });
    sendCode(ctx, tx, p, code, now);
  });
}
