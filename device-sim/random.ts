/**
 * Seeded randomness for reproducible runs: the same `--seed` gives the same fleet behaviour,
 * fault choices and timings (up to what the network and the gateway reorder). sfc32, seeded
 * through a string hash so every controller and every actor gets an independent stream.
 */
export type Random = () => number;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function seededRandom(seed: number | string, stream = ''): Random {
  let a = hash(`${seed}/a/${stream}`);
  let b = hash(`${seed}/b/${stream}`);
  let c = hash(`${seed}/c/${stream}`);
  let d = 1;
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i += 1) next();
  return next;
}

export const chance = (random: Random, p: number): boolean => p > 0 && random() < p;

export function between(random: Random, min: number, max: number): number {
  return min + (max - min) * random();
}

export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[Math.floor(random() * items.length) % items.length] as T;
}

/** Index drawn with the given weights. */
export function weighted(random: Random, weights: readonly number[]): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let r = random() * total;
  for (let i = 0; i < weights.length; i += 1) {
    r -= weights[i] as number;
    if (r < 0) return i;
  }
  return weights.length - 1;
}
