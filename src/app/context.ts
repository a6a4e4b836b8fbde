import type { Clock } from '../domain/clock.js';
import type { AppEventBus } from './events.js';
import type { CommandTransport, RandomBytes, Store } from './ports.js';
import type { AppSettings } from './settings.js';

/**
 * Asks for a locker's controller to be brought up to date with its code set. Safe to call inside a
 * transaction: the work runs after the current commit (src/app/offline/sync.ts).
 */
export interface CodeSyncNudge {
  nudge(lockerId: string): void;
}

/** What every use case gets: ports, clock, randomness, settings and the event bus. */
export interface AppContext {
  store: Store;
  clock: Clock;
  random: RandomBytes;
  transport: CommandTransport;
  events: AppEventBus;
  settings: AppSettings;
  /** When this gateway process started: nothing was observable before it (e.g. offline time). */
  startedAt: number;
  /** pickupCode: HMAC key for code hashes; data: AES-256-GCM key for personal data at rest. */
  keys: { pickupCode: Buffer; data: Buffer };
  codeSync: CodeSyncNudge;
}
