/** The MQTT identity of one locker controller. */
export interface Device {
  id: string;
  lockerId: string;
  model: string | null;
  firmware: string | null;
  protocol: string | null;
  bootId: string | null;
  lastSeq: number;
  online: boolean;
  lastSeenAt: number | null;
  connectedAt: number | null;
  revokedAt: number | null;
  createdAt: number;
  /** The latest telemetry message, as reported. */
  telemetry: Record<string, unknown> | null;
  /** Sleepy controllers (mailbox banks, protocol §13): how often they wake, from their hello. */
  wakeIntervalS: number | null;
  /** While a sleepy controller sleeps: when it said it would be back. */
  asleepUntil: number | null;
}

export type SequenceVerdict = 'apply' | 'duplicate' | 'stale_boot' | 'gap';

/**
 * Dedup rule (protocol README §5): a message is applied only if it belongs to the device's
 * current boot and its seq is above the last applied one. A jump of more than one is applied
 * too, but reported as a gap so that lost messages are noticed.
 */
export function judgeSequence(device: Pick<Device, 'bootId' | 'lastSeq'>, bootId: string, seq: number): SequenceVerdict {
  if (device.bootId !== bootId) return 'stale_boot';
  if (seq <= device.lastSeq) return 'duplicate';
  return seq === device.lastSeq + 1 ? 'apply' : 'gap';
}
