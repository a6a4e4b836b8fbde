import type { AppContext } from './context.js';
import { secretMatches } from './ids.js';

export type DeviceAuthResult = 'ok' | 'unknown_device' | 'bad_secret' | 'revoked' | 'persistent_session';

/**
 * Checks a device's MQTT credentials. Reads only; cheap enough for reconnect storms.
 * A persistent session (clean session 0) is for sleepy mailbox-bank controllers only: any other
 * device would make the broker keep QoS 2 state across reconnects for nothing (found by the fuzzer).
 */
export async function authenticateDevice(ctx: AppContext, deviceId: string, secret: string, persistentSession = false): Promise<DeviceAuthResult> {
  return ctx.store.read((tx) => {
    const device = tx.devices.credentials(deviceId);
    if (!device) return 'unknown_device';
    if (device.revokedAt !== null) return 'revoked';
    if (!secretMatches(secret, device.secretHash)) return 'bad_secret';
    if (persistentSession && tx.lockers.get(device.lockerId)?.kind !== 'mailbox_bank') return 'persistent_session';
    return 'ok';
  });
}
