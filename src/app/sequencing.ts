import { judgeSequence, type Device } from '../domain/device.js';
import type { Tx } from './ports.js';
import type { UplinkVerdict } from './device-session.js';

/**
 * Runs `apply` only for a message that is new for the device's current boot, then records its
 * seq (in the same transaction, so dedup survives a crash). Protocol README §5.
 */
export function withSequence(
  tx: Tx,
  deviceId: string,
  envelope: { bootId: string; seq: number },
  now: number,
  apply: (device: Device) => UplinkVerdict | void,
): UplinkVerdict {
  const device = tx.devices.get(deviceId);
  if (!device) return 'unknown_device';
  const seqVerdict = judgeSequence(device, envelope.bootId, envelope.seq);
  if (seqVerdict === 'duplicate' || seqVerdict === 'stale_boot') return seqVerdict;
  const applied = apply(device);
  // Only the sequence columns: `apply` may have changed the rest of the row (telemetry, sleep).
  tx.devices.recordSequence(deviceId, envelope.seq, now);
  return applied ?? (seqVerdict === 'gap' ? 'gap' : 'applied');
}
