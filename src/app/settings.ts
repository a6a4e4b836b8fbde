/** Timing rules the use cases follow; parsed from config in main.ts. */
export interface AppSettings {
  commandTtlMs: number;
  ackTimeoutMs: number;
  openOutcomeTimeoutMs: number;
  doorLeftOpenMs: number;
  deviceOfflineAlarmMs: number;
  /** How long after an open command ends a door opening still counts as caused by it. */
  openAttributionMs: number;
}

export const DEFAULT_SETTINGS: AppSettings = Object.freeze({
  commandTtlMs: 60_000,
  ackTimeoutMs: 10_000,
  openOutcomeTimeoutMs: 15_000,
  doorLeftOpenMs: 120_000,
  deviceOfflineAlarmMs: 600_000,
  openAttributionMs: 30_000,
});
