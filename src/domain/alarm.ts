export const ALARM_KINDS = [
  'door_forced',
  'door_left_open',
  'open_not_detected',
  'door_jammed',
  'snapshot_mismatch',
  'tamper',
  'power',
  'sensor_fault',
  'low_battery',
  'device_offline',
  'keypad_lockout',
  'code_guessing',
  'parcel_left_behind',
  'deposit_unconfirmed',
  'offline_pickup_conflict',
  'offline_code_unknown',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

export type AlarmSeverity = 'critical' | 'warning' | 'info';
export type AlarmState = 'open' | 'acknowledged' | 'cleared';

export const ALARM_SEVERITY: Readonly<Record<AlarmKind, AlarmSeverity>> = {
  door_forced: 'critical',
  tamper: 'critical',
  door_left_open: 'warning',
  open_not_detected: 'warning',
  door_jammed: 'warning',
  snapshot_mismatch: 'warning',
  power: 'warning',
  sensor_fault: 'warning',
  low_battery: 'info',
  device_offline: 'warning',
  keypad_lockout: 'warning',
  code_guessing: 'critical',
  parcel_left_behind: 'warning',
  deposit_unconfirmed: 'warning',
  /** An offline pickup the gateway cannot square with what happened meanwhile (protocol §12.7). */
  offline_pickup_conflict: 'warning',
  /** A controller opened with a code it was never given, or one revoked before it went offline. */
  offline_code_unknown: 'critical',
};

/** Alarms that end by themselves when the condition ends (the door closes …). */
export const SELF_CLEARING: ReadonlySet<AlarmKind> = new Set<AlarmKind>(['door_left_open', 'device_offline']);

export interface AlarmDraft {
  kind: AlarmKind;
  lockerId: string;
  compartment: number | null;
  details: Record<string, unknown>;
}

export interface Alarm extends AlarmDraft {
  id: string;
  severity: AlarmSeverity;
  state: AlarmState;
  raisedAt: number;
  lastSeenAt: number;
  occurrences: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  clearedAt: number | null;
}
