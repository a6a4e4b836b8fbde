import type { GatewayApi } from '../api/gateway-api.js';
import type { Random } from '../random.js';
import type { Keeper } from './keeper.js';
import type { RunOptions } from './options.js';
import type { NodeStats } from './stats.js';
import type { World } from './world.js';

/** What the people of a node (couriers, residents) and its scenario work with. */
export interface NodeContext {
  readonly nodeIndex: number;
  readonly opts: RunOptions;
  readonly api: GatewayApi;
  readonly carrierKeys: readonly string[];
  readonly world: World;
  readonly stats: NodeStats;
  readonly random: Random;
  readonly keeper: Keeper;
  /** Hold time of new deposits, hours (the API's minimum is 1). */
  readonly holdHours: number;
  /** Tells the supervisor which node a parcel belongs to, so its pickup code reaches it. */
  announceParcel(parcelId: string): void;
  /** True while the oracle looks: nobody touches a locker. */
  frozen(): boolean;
  /** Runs an operation, counted as in flight until it settles (the oracle waits for them). */
  track(op: Promise<unknown>): void;
  /** Sleeps a simulated duration (at least a few real ms). */
  sleepSim(simMs: number): Promise<void>;
  /** Unique suffix for tracking numbers and idempotency keys. */
  nextSerial(): string;
  /** A deposit's door opened `ms` after its POST /v1/deposits started at `startedAt` (epoch ms). */
  recordOpenLatency(startedAt: number, ms: number): void;
}

export function simSleep(speed: number, simMs: number, minRealMs = 5): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(minRealMs, simMs / speed)));
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
