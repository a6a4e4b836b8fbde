import type { FleetLockerT } from '../fleet/fleet.js';
import type { RunOptions } from './options.js';
import type { NodeStats } from './stats.js';
import type { TruthDump } from './world.js';

/** One node's share of the fleet and how to reach the gateway. */
export interface NodeInit {
  nodeIndex: number;
  nodeCount: number;
  httpUrl: string;
  carrierKeys: string[];
  lockers: Array<FleetLockerT & { mqttUrl: string; localAddress?: string }>;
  options: RunOptions;
  /**
   * Read the gateway's view first and take it as the physical starting point (a fleet used
   * before holds parcels from earlier runs); null for a fleet provisioned just now (empty).
   */
  adoptWithToken: string | null;
}

/** What was still going on when the oracle had to look (settle timeout). */
export interface Unsettled {
  operations: number;
  offline: string[];
  draining: string[];
}

/** Supervisor → node. */
export type ToNode =
  | { t: 'init'; init: NodeInit }
  /** startAt: real time the scenario clock starts at, the same for every node. */
  | { t: 'start'; startAt: number }
  | { t: 'code'; parcelId: string; code: string }
  | { t: 'quiesce'; timeoutS: number }
  | { t: 'resume' }
  /** Drop `fraction` of the online controllers at once (a reconnect storm on demand, for benchmarks). */
  | { t: 'storm'; fraction: number }
  | { t: 'stop' };

/** Node → supervisor. */
export type FromNode =
  | { t: 'ready' }
  | { t: 'stats'; stats: NodeStats; label: string }
  | { t: 'parcel'; parcelId: string }
  | { t: 'finished' }
  | { t: 'quiesced'; truth: TruthDump; unsettled: Unsettled | null }
  /** depositOpenMs: per deposit, [start of POST /v1/deposits (epoch ms), ms until the door opened]. */
  | { t: 'stopped'; stats: NodeStats; connectLatencyMs: number[]; depositOpenMs: Array<[number, number]> }
  | { t: 'fatal'; message: string };

/** How the supervisor talks to a node, in this process or in a worker process. */
export interface NodeChannel {
  send(msg: ToNode): void;
  onMessage(fn: (msg: FromNode) => void): void;
  /** Resolves when the node is gone (its process exited, or it stopped in-process). */
  readonly exited: Promise<void>;
  kill(): void;
}
