import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CommitObserver } from './storage/sqlite/group-commit.js';

/** All Prometheus metrics of one gateway instance, on its own registry (tests run several). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly connectedDevices: Gauge;
  readonly connectionsRefused: Counter<'reason'>;
  readonly clientErrors: Counter<'reason'>;
  readonly messagesIn: Counter<'channel'>;
  readonly messagesOut: Counter<'type'>;
  readonly rejected: Counter<'reason'>;
  readonly duplicates: Counter<'reason'>;
  readonly sequenceGaps: Counter;
  readonly commands: Counter<'type' | 'outcome'>;
  readonly alarms: Counter<'kind'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly lockerShare: Gauge<'region'>;
  readonly storeAckWait: Histogram;
  readonly storeFsync: Histogram;
  readonly storeBatchHold: Histogram;
  readonly storeBatchSize: Histogram;
  /** Month-to-date locker share per region, read from the rollups at scrape time (set by the gateway). */
  private lockerShareSource: (() => Promise<Array<{ region: string; ratio: number }>>) | undefined;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'lockergate_' });
    this.connectedDevices = new Gauge({ name: 'lockergate_mqtt_connected_devices', help: 'Devices with a live MQTT session', registers });
    this.connectionsRefused = new Counter({
      name: 'lockergate_mqtt_connections_refused_total',
      help: 'MQTT connections refused, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.clientErrors = new Counter({
      name: 'lockergate_mqtt_client_errors_total',
      help: 'MQTT client errors (protocol errors, oversize packets, timeouts), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.messagesIn = new Counter({ name: 'lockergate_mqtt_messages_in_total', help: 'Device messages received, by channel', labelNames: ['channel'], registers });
    this.messagesOut = new Counter({ name: 'lockergate_mqtt_messages_out_total', help: 'Commands published to devices, by type', labelNames: ['type'], registers });
    this.rejected = new Counter({
      name: 'lockergate_mqtt_rejected_total',
      help: 'Device messages rejected (not applied), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'lockergate_mqtt_dropped_duplicates_total',
      help: 'Device messages dropped by sequence dedup, by reason (duplicate, stale_boot)',
      labelNames: ['reason'],
      registers,
    });
    this.sequenceGaps = new Counter({ name: 'lockergate_mqtt_sequence_gaps_total', help: 'Device messages that skipped sequence numbers', registers });
    this.commands = new Counter({
      name: 'lockergate_commands_total',
      help: 'Commands that ended, by type and outcome',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.alarms = new Counter({ name: 'lockergate_alarms_raised_total', help: 'Alarms raised, by kind', labelNames: ['kind'], registers });
    this.httpDuration = new Histogram({
      name: 'lockergate_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    // The durability path of every acknowledged change (docs/adr/0002): how long it waited, and where.
    const storeBuckets = [0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5];
    this.storeAckWait = new Histogram({
      name: 'lockergate_store_ack_wait_seconds',
      help: 'From a state change being requested to its commit being durable (queue + group-commit batch + WAL fsync)',
      buckets: storeBuckets,
      registers,
    });
    this.storeFsync = new Histogram({ name: 'lockergate_store_wal_fsync_seconds', help: 'WAL fsync duration (thread pool), as the event loop saw it', buckets: storeBuckets, registers });
    this.storeBatchHold = new Histogram({
      name: 'lockergate_store_batch_seconds',
      help: 'How long one group-commit batch held the event loop (BEGIN to COMMIT)',
      buckets: storeBuckets,
      registers,
    });
    this.storeBatchSize = new Histogram({
      name: 'lockergate_store_batch_transactions',
      help: 'Transactions per group commit',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 512],
      registers,
    });
    this.lockerShare = new Gauge({
      name: 'lockergate_locker_share_ratio',
      help: 'Locker deliveries / reported deliveries, month to date (Asia/Shanghai), per region with volume reports',
      labelNames: ['region'],
      registers,
      // Computed per scrape from the daily rollups (a few rows per region): always current, never stored twice.
      collect: async () => {
        const rows = await this.lockerShareSource?.().catch(() => undefined);
        if (!rows) return;
        this.lockerShare.reset();
        for (const r of rows) this.lockerShare.set({ region: r.region }, r.ratio);
      },
    });
  }

  /** For the store's group committer (its CommitObserver): milliseconds in, seconds out. */
  storeObserver(): CommitObserver {
    return {
      batch: (units, ms) => {
        this.storeBatchSize.observe(units);
        this.storeBatchHold.observe(ms / 1000);
      },
      fsync: (ms) => this.storeFsync.observe(ms / 1000),
      acknowledged: (ms) => this.storeAckWait.observe(ms / 1000),
    };
  }

  setLockerShareSource(source: () => Promise<Array<{ region: string; ratio: number }>>): void {
    this.lockerShareSource = source;
  }
}
