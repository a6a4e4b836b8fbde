import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Config } from './config.js';

export interface Keys {
  /** HMAC key for pickup-code hashes. */
  pickupCode: Buffer;
  /** AES-256-GCM key for personal data at rest. */
  data: Buffer;
}

const KeysFile = z.object({ pickupCode: z.string().regex(/^[0-9a-f]{64}$/), data: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * Keys come from the environment when given; otherwise they are generated into
 * `<dataDir>/keys.json` (mode 0600) on first start, so a first run needs no setup.
 * Losing that file makes encrypted phone numbers and active pickup codes unreadable: back it up
 * with the database (deploy/README.md).
 */
export function loadOrCreateKeys(config: Config): Keys {
  const file = join(config.LOCKERGATE_DATA_DIR, 'keys.json');
  let stored: z.infer<typeof KeysFile> | undefined;
  if (existsSync(file)) {
    const parsed = KeysFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    stored = parsed.data;
  } else if (!config.LOCKERGATE_PICKUP_CODE_KEY || !config.LOCKERGATE_DATA_KEY) {
    mkdirSync(config.LOCKERGATE_DATA_DIR, { recursive: true });
    stored = { pickupCode: randomBytes(32).toString('hex'), data: randomBytes(32).toString('hex') };
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  }
  return {
    pickupCode: Buffer.from(config.LOCKERGATE_PICKUP_CODE_KEY ?? stored!.pickupCode, 'hex'),
    data: Buffer.from(config.LOCKERGATE_DATA_KEY ?? stored!.data, 'hex'),
  };
}
