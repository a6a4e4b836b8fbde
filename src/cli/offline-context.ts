import { CodeSyncPump } from '../app/offline/sync.js';
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app/context.js';
import { AppEventBus } from '../app/events.js';
import type { CommandTransport } from '../app/ports.js';
import { openStore, settingsFrom } from '../gateway.js';
import type { Config } from '../config.js';
import { systemClock } from '../domain/clock.js';
import { loadOrCreateKeys } from '../keys.js';

/**
 * The CLI works on the data directory directly (SQLite allows it next to a running gateway).
 * It has no broker: it can't reach a live MQTT session, so it says so instead of pretending.
 */
class NoBrokerTransport implements CommandTransport {
  disconnectRequests: string[] = [];
  isConnected(): boolean {
    return false;
  }
  send(): Promise<void> {
    return Promise.reject(new Error('the CLI has no broker; commands go through a running gateway'));
  }
  disconnect(deviceId: string): void {
    this.disconnectRequests.push(deviceId);
  }
}

export function offlineContext(config: Config): { ctx: AppContext; transport: NoBrokerTransport; close(): Promise<void> } {
  const store = openStore(config);
  const transport = new NoBrokerTransport();
  const ctx: AppContext = {
    store,
    clock: systemClock,
    random: randomBytes,
    transport,
    events: new AppEventBus(),
    settings: settingsFrom(config),
    startedAt: systemClock.now(),
    keys: loadOrCreateKeys(config),
    // No broker here: changes to code sets reach controllers on their next hello to a gateway.
    codeSync: new CodeSyncPump(),
  };
  return { ctx, transport, close: () => store.close() };
}
