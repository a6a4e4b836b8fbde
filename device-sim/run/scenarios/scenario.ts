/** A scenario decides when people come to the lockers; People (people.ts) does what they do. */
export interface Scenario {
  /** startAt: real time (ms) the scenario's clock starts at, the same on every node. */
  start(startAt: number): void;
  /** A pickup code for one of this node's parcels arrived by SMS. */
  onCode(parcelId: string, code: string): void;
  /** Resolves when the scenario is over (never for an open-ended run). */
  readonly finished: Promise<void>;
  /** Where the scenario is, for the status line (e.g. "day 1 14:05"). */
  label(): string;
  stop(): void;
}
