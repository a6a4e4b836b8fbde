import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A garbage collector to call before reading memory, so that "memory stays flat" compares live
 * data and not garbage that happens not to be collected yet. `--expose-gc` when the process
 * was started with it; otherwise the flag is set at run time and `gc` taken from a fresh
 * context (a V8 behaviour Node has kept for years). Null if neither works.
 */
function findGc(): (() => void) | null {
  const existing: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? (gc as () => void) : null;
}

const gc = findGc();
export const gcExposed = gc !== null;

export interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
}

/** Memory after two full collections, with a turn of the event loop between them (finalizers, weak maps). */
export async function settledMemory(): Promise<MemorySample> {
  for (let i = 0; i < 2; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external) };
}

/**
 * mqtt-packet caches the encoding of every remaining length below 16,384 it ever wrote, each a
 * small slice that keeps an 8 KB pool slab alive. The fuzzer writes thousands of distinct
 * lengths, so that cache would grow during the measured run and look like a leak (a bounded one,
 * and the gateway itself writes few lengths). Filling it before the baseline takes it out.
 */
export function fillVarintCache(generatePublish: (payloadBytes: number) => unknown): void {
  // Remaining length of a QoS 0 publish on topic "t": 2 (topic length) + 1 + payload.
  for (let length = 3; length < 16_384; length++) generatePublish(length - 3);
}
