import type { AppContext } from './context.js';
import { secretMatches } from './ids.js';

export type DeviceAuthResult = 'ok' | 'unknown_device' | 'bad_secret' | 'revoked';

/** Checks a device's MQTT credentials. Reads only; cheap enough for reconnect storms. */
export async function authenticateDevice(ctx: AppContext, deviceId: string, secret: string): Promise<DeviceAuthResult> {
  return ctx.store.read((tx) => {
    const device = tx.devices.get(deviceId);
    if (!device) return 'unknown_device';
    if (device.revokedAt !== null) return 'revoked';
    const hash = tx.devices.secretHash(deviceId);
    return hash && secretMatches(secret, hash) ? 'ok' : 'bad_secret';
  });
}
