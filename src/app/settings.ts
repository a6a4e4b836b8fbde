/** Timing rules the use cases follow; parsed from config in main.ts. */
export interface AppSettings {
  commandTtlMs: number;
  ackTimeoutMs: number;
  openOutcomeTimeoutMs: number;
  doorLeftOpenMs: number;
  deviceOfflineAlarmMs: number;
  /** How long after an open command ends a door opening still counts as caused by it. */
  openAttributionMs: number;
  pickupCodeDigits: number;
  /** Wrong codes per locker within the window that lock its keypad (and API pickups) out. */
  codeMaxFailures: number;
  codeFailureWindowMs: number;
  codeLockoutMs: number;
  /** Wrong codes per locker within an hour that raise a `code_guessing` alarm, lockout or not. */
  codeGuessingAlarmPerHour: number;
  defaultHoldHours: number;
  maxHoldHours: number;
  /** A reminder goes to the recipient this long before the hold ends. */
  reminderBeforeMs: number;
  /** After a pickup, a door that closes on a still-present parcel within this time is "left behind". */
  leftBehindWindowMs: number;
  /** A deposit whose door closed this long ago without the parcel sensed or confirmed → `deposit_unconfirmed`. */
  depositUnconfirmedMs: number;
  personalDataRetentionMs: number;
}

export const DEFAULT_SETTINGS: AppSettings = Object.freeze({
  commandTtlMs: 60_000,
  ackTimeoutMs: 10_000,
  openOutcomeTimeoutMs: 15_000,
  doorLeftOpenMs: 120_000,
  deviceOfflineAlarmMs: 600_000,
  openAttributionMs: 30_000,
  pickupCodeDigits: 6,
  codeMaxFailures: 5,
  codeFailureWindowMs: 10 * 60_000,
  codeLockoutMs: 15 * 60_000,
  codeGuessingAlarmPerHour: 12,
  defaultHoldHours: 72,
  maxHoldHours: 168,
  reminderBeforeMs: 12 * 3_600_000,
  leftBehindWindowMs: 10 * 60_000,
  depositUnconfirmedMs: 15 * 60_000,
  personalDataRetentionMs: 30 * 86_400_000,
});
