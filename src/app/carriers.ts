import { LockergateError } from '../domain/errors.js';
import type { Carrier } from '../domain/parcel.js';
import type { AppContext } from './context.js';
import { hashSecret, newId, newSecret } from './ids.js';
import { encrypt } from './personal-data.js';

/** Carrier API keys look like `lgc_<32 chars>`; the prefix tells them from operator tokens. */
export const CARRIER_KEY_PREFIX = 'lgc_';

export interface NewCarrier {
  carrier: Carrier;
  /** Shown once; only its hash is stored. */
  apiKey: string;
  /** Signs this carrier's webhooks; shown once, stored sealed (the dispatcher needs it back). */
  webhookSecret: string | null;
}

export async function addCarrier(ctx: AppContext, input: { name: string; webhookUrl?: string | undefined; id?: string | undefined }, actor: string): Promise<NewCarrier> {
  const apiKey = `${CARRIER_KEY_PREFIX}${newSecret(ctx.random, 24)}`;
  const webhookSecret = input.webhookUrl ? newSecret(ctx.random, 24) : null;
  const carrier: Carrier = {
    id: input.id ?? newId(ctx.random, 'car'),
    name: input.name,
    webhookUrl: input.webhookUrl ?? null,
    createdAt: ctx.clock.now(),
    disabledAt: null,
  };
  await ctx.store.transact((tx) => {
    tx.carriers.insert(carrier, hashSecret(apiKey), webhookSecret ? encrypt(ctx.keys.data, webhookSecret) : null);
    tx.audit.append({ at: carrier.createdAt, actor, action: 'carrier.create', target: carrier.id, details: { name: carrier.name } });
  });
  return { carrier, apiKey, webhookSecret };
}

export async function authenticateCarrier(ctx: AppContext, apiKey: string): Promise<Carrier | undefined> {
  if (!apiKey.startsWith(CARRIER_KEY_PREFIX)) return undefined;
  return ctx.store.read((tx) => tx.carriers.byApiKeyHash(hashSecret(apiKey)));
}

/** Caps how many compartments of one locker a carrier's live parcels may hold; null removes the cap. */
export async function setCarrierQuota(ctx: AppContext, carrierId: string, lockerId: string, max: number | null, actor: string): Promise<void> {
  await ctx.store.transact((tx) => {
    if (!tx.carriers.get(carrierId)) throw new LockergateError('CARRIER_NOT_FOUND');
    if (!tx.lockers.get(lockerId)) throw new LockergateError('LOCKER_NOT_FOUND');
    tx.carriers.setQuota(carrierId, lockerId, max);
    tx.audit.append({ at: ctx.clock.now(), actor, action: 'carrier.quota', target: `${carrierId}/${lockerId}`, details: { max } });
  });
}
