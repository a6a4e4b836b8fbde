const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Lets this process's memory settle the way an idle gateway's does: a full GC, then `windowS`
 * seconds left alone. RSS read right after a forced GC still counts memory V8 has freed but not
 * yet given back, and the young generation the last burst grew (32 MB) stays until V8's memory
 * reducer shrinks an idle heap, in rounds about 8 s apart (measured with 10,000 connections: RSS
 * 246 MB after the GC, 203 MB at 9 s, flat to 40 s; the same gateway before connecting 143 MB,
 * 111 MB at 16 s; another run 149 → 139 MB at 8 s → 109 MB at 24 s). Forcing more GCs meanwhile
 * keeps the reducer from running, so none are.
 */
export async function settleMemory(gc: () => void, windowS = 30): Promise<void> {
  gc();
  gc();
  await sleep(windowS * 1000);
}
