import { GatewayApi } from '../api/gateway-api.js';
import type { Sms, SmsReceiver } from '../api/sms-receiver.js';
import type { FleetFileT } from '../fleet/fleet.js';
import { forkedNode, inProcessNode } from './channels.js';
import type { FromNode, NodeChannel, NodeInit, Unsettled } from './messages.js';
import { runOracle, type OracleReport } from './oracle.js';
import type { RunOptions } from './options.js';
import { StatusLine } from './progress.js';
import { emptyStats, mergeStats, type NodeStats } from './stats.js';
import { buildSummary, type GatewaySample, type Summary } from './summary.js';
import type { TruthDump } from './world.js';

export interface SupervisorConfig {
  fleet: FleetFileT;
  options: RunOptions;
  /** Worker processes; 0 runs one node in this process. */
  workers: number;
  /** Source addresses controllers connect from, round-robin (empty: the OS chooses). */
  sourceIps: string[];
  /** The residents' phones; without it nobody gets a pickup code. */
  sms: SmsReceiver | null;
  /** Operator or viewer token: the oracle reads lockers with it. */
  token: string | undefined;
  /** Take the gateway's view as the starting point (a fleet used before); needs `token`. */
  adopt?: boolean;
  /** Redraw a status line on stderr (default: when stderr is a TTY). */
  statusLine?: boolean;
  log?: (line: string) => void;
}

interface NodeState {
  index: number;
  channel: NodeChannel;
  stats: NodeStats;
  label: string;
  finished: boolean;
  cpuPct: number;
  lastCpu: { at: number; us: number } | null;
  waiters: Array<(msg: FromNode) => boolean>;
  final: { stats: NodeStats; connectLatencyMs: number[]; depositOpenMs: Array<[number, number]> } | null;
}

/**
 * Runs a fleet: splits it over nodes (worker processes of ≤ a few thousand controllers each,
 * or one in-process node), routes pickup codes from the SMS receiver to the node that owns the
 * parcel, shows progress, and at the end (or on demand) freezes every node, asks the oracle
 * to compare the ground truth with the gateway, and writes the summary.
 */
export class Supervisor {
  private readonly nodes: NodeState[] = [];
  private readonly owners = new Map<string, NodeState>();
  private readonly pendingCodes = new Map<string, string>();
  private readonly api: GatewayApi;
  private readonly status: StatusLine;
  private readonly log: (line: string) => void;
  private readonly gateway: GatewaySample = { rssBytesPeak: null, rssBytesEnd: null, cpuSecondsStart: null, cpuSecondsEnd: null };
  private stopRequested!: () => void;
  private markStarted!: () => void;
  /** Resolves once every node runs: an on-demand check waits for it. */
  private readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));
  private readonly stopSignal = new Promise<void>((resolve) => (this.stopRequested = resolve));
  private lastOracle: OracleReport | null = null;
  private lastTruths: readonly TruthDump[] = [];
  private checking: Promise<OracleReport | null> | null = null;
  private allOnlineAt: number | null = null;
  private startedAt = 0;
  /** When the nodes were told to start (after workers are up and the gateway's view adopted). */
  private startAt = 0;
  private fatal: string | null = null;
  private settled = true;
  private readonly unsettled: Unsettled = { operations: 0, offline: [], draining: [] };

  constructor(private readonly cfg: SupervisorConfig) {
    this.api = new GatewayApi(cfg.fleet.gateway.http, 32);
    this.status = new StatusLine(process.stderr, cfg.statusLine);
    this.log = cfg.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** The nodes' latest stats, summed (each node reports once a second). */
  totals(): NodeStats {
    return mergeStats(this.nodes.map((n) => n.stats));
  }

  /** A reconnect storm now: every node drops `fraction` of its online controllers at once. */
  storm(fraction = 1): void {
    for (const n of this.nodes) n.channel.send({ t: 'storm', fraction });
  }

  /** After run(): per deposit, [POST started at (epoch ms), ms until its door opened]. */
  depositOpenLatencies(): Array<[number, number]> {
    return this.nodes.flatMap((n) => n.final?.depositOpenMs ?? []);
  }

  /** The ground truth the last oracle check compared (every node's), e.g. for a test's own invariants. */
  get truths(): readonly TruthDump[] {
    return this.lastTruths;
  }

  /** Ends the run at the next opportunity (SIGINT): oracle, summary, exit. */
  interrupt(): void {
    this.stopRequested();
  }

  async run(): Promise<{ summary: Summary; exitCode: number }> {
    this.startedAt = Date.now();
    await this.startNodes();
    const route = (sms: Sms): void => this.route(sms);
    this.cfg.sms?.events.on('sms', route);
    const startAt = Date.now();
    this.startAt = startAt;
    for (const n of this.nodes) n.channel.send({ t: 'start', startAt });
    this.markStarted();
    this.gateway.cpuSecondsStart = await this.api.metric('process_cpu_seconds_total').catch(() => null);
    const ticker = setInterval(() => this.tick(), 1000);
    const sampler = setInterval(() => void this.sampleGateway(), 5000);
    const allFinished = Promise.all(this.nodes.map((n) => this.waitFor(n, (m) => m.t === 'finished')));
    await Promise.race([allFinished, this.stopSignal]);
    clearInterval(ticker);
    clearInterval(sampler);
    const oracle = this.cfg.options.oracle && !this.fatal ? await this.check(false) : null;
    await this.sampleGateway();
    this.gateway.cpuSecondsEnd = await this.api.metric('process_cpu_seconds_total').catch(() => null);
    await this.stopNodes();
    this.cfg.sms?.events.off('sms', route);
    this.status.done();
    const summary = buildSummary({
      options: this.cfg.options,
      workers: this.cfg.workers,
      sourceIps: this.cfg.sourceIps,
      startedAt: this.startedAt,
      startAt: this.startAt,
      allOnlineAt: this.allOnlineAt,
      nodes: this.nodes.map((n) => ({ stats: n.final?.stats ?? n.stats, connectLatencyMs: n.final?.connectLatencyMs ?? [], depositOpenMs: n.final?.depositOpenMs ?? [] })),
      oracle,
      settled: this.settled,
      unsettled: this.settled ? null : this.unsettled,
      gateway: this.gateway,
      sms: this.cfg.sms?.counts ?? null,
      fatal: this.fatal,
    });
    this.api.close();
    const exitCode = this.fatal ? 2 : summary.verdict === 'ok' ? 0 : 1;
    return { summary, exitCode };
  }


  /**
   * Freezes every node (nothing new starts, operations in progress finish, controllers
   * reconnect and drain), compares truth and gateway, then lets the run go on (`resume`).
   */
  check(resume = true): Promise<OracleReport | null> {
    if (this.checking) return this.checking;
    this.checking = (async () => {
      await this.started;
      const timeoutS = this.cfg.options.settleTimeoutS;
      for (const n of this.nodes) n.channel.send({ t: 'quiesce', timeoutS });
      const answers = await Promise.all(this.nodes.map((n) => this.waitFor(n, (m) => m.t === 'quiesced')));
      const truths: TruthDump[] = [];
      for (const a of answers) {
        if (a.t !== 'quiesced') continue;
        truths.push(a.truth);
        if (a.unsettled) {
          this.settled = false;
          this.unsettled.operations += a.unsettled.operations;
          this.unsettled.offline.push(...a.unsettled.offline.slice(0, 50));
          this.unsettled.draining.push(...a.unsettled.draining.slice(0, 50));
        }
      }
      this.lastTruths = truths;
      const report = await runOracle({ api: this.api, token: this.cfg.token, carrierKeys: this.cfg.fleet.carrierKeys, truths, concurrency: 32 });
      this.lastOracle = report;
      if (resume) for (const n of this.nodes) n.channel.send({ t: 'resume' });
      return report;
    })().finally(() => (this.checking = null));
    return this.checking;
  }

  private async startNodes(): Promise<void> {
    const { fleet, options } = this.cfg;
    const count = Math.max(1, this.cfg.workers);
    const shares: NodeInit['lockers'][] = Array.from({ length: count }, () => []);
    fleet.lockers.forEach((l, i) => {
      const ip = this.cfg.sourceIps.length > 0 ? this.cfg.sourceIps[i % this.cfg.sourceIps.length] : undefined;
      shares[i % count]!.push({ ...l, mqttUrl: l.mqttUrl ?? fleet.gateway.mqtt[i % fleet.gateway.mqtt.length]!, ...(ip ? { localAddress: ip } : {}) });
    });
    for (let i = 0; i < count; i += 1) {
      const channel = this.cfg.workers === 0 ? inProcessNode() : forkedNode();
      const node: NodeState = { index: i, channel, stats: emptyStats(), label: '', finished: false, cpuPct: 0, lastCpu: null, waiters: [], final: null };
      channel.onMessage((msg) => this.onMessage(node, msg));
      this.nodes.push(node);
      const share = shares[i]!;
      // Each node drives its share of the deposit rate.
      const nodeOptions: RunOptions = { ...options, rate: (options.rate * share.length) / fleet.lockers.length };
      channel.send({ t: 'init', init: { nodeIndex: i, nodeCount: count, httpUrl: fleet.gateway.http, carrierKeys: fleet.carrierKeys, lockers: share, options: nodeOptions, adoptWithToken: this.cfg.adopt && this.cfg.token ? this.cfg.token : null } });
    }
    await Promise.all(this.nodes.map((n) => this.waitFor(n, (m) => m.t === 'ready')));
  }

  private async stopNodes(): Promise<void> {
    for (const n of this.nodes) n.channel.send({ t: 'stop' });
    await Promise.all(this.nodes.map(async (n) => {
      const stopped = this.waitFor(n, (m) => m.t === 'stopped');
      const timeout = new Promise<null>((r) => setTimeout(() => r(null), 30_000).unref());
      if ((await Promise.race([stopped, timeout])) === null) n.channel.kill();
    }));
    await Promise.all(this.nodes.map((n) => n.channel.exited));
  }

  private onMessage(node: NodeState, msg: FromNode): void {
    switch (msg.t) {
      case 'stats':
        node.stats = msg.stats;
        node.label = msg.label;
        this.trackCpu(node, msg.stats);
        break;
      case 'parcel': {
        this.owners.set(msg.parcelId, node);
        const code = this.pendingCodes.get(msg.parcelId);
        if (code !== undefined) {
          this.pendingCodes.delete(msg.parcelId);
          node.channel.send({ t: 'code', parcelId: msg.parcelId, code });
        }
        break;
      }
      case 'finished':
        node.finished = true;
        break;
      case 'stopped':
        node.final = { stats: msg.stats, connectLatencyMs: msg.connectLatencyMs, depositOpenMs: msg.depositOpenMs };
        break;
      case 'fatal':
        this.fatal = msg.message;
        this.log(`simulator node ${node.index} failed: ${msg.message}`);
        this.stopRequested();
        break;
      default:
        break;
    }
    node.waiters = node.waiters.filter((w) => !w(msg));
  }

  private waitFor(node: NodeState, pred: (msg: FromNode) => boolean): Promise<FromNode> {
    return new Promise((resolve) => {
      node.waiters.push((msg) => {
        if (msg.t === 'fatal' || pred(msg)) {
          resolve(msg);
          return true;
        }
        return false;
      });
    });
  }

  /** A pickup code for a parcel: to the node whose courier deposited it. */
  private route(sms: Sms): void {
    if (sms.kind !== 'pickup_code' || sms.code === undefined) return;
    const owner = this.owners.get(sms.parcelId);
    if (owner) owner.channel.send({ t: 'code', parcelId: sms.parcelId, code: sms.code });
    else this.pendingCodes.set(sms.parcelId, sms.code);
  }

  private trackCpu(node: NodeState, stats: NodeStats): void {
    const now = Date.now();
    const us = stats.cpuUserUs + stats.cpuSystemUs;
    if (node.lastCpu) node.cpuPct = ((us - node.lastCpu.us) / 1000 / Math.max(1, now - node.lastCpu.at)) * 100;
    node.lastCpu = { at: now, us };
  }

  private tick(): void {
    const total = mergeStats(this.nodes.map((n) => n.stats));
    if (this.allOnlineAt === null && total.controllers > 0 && total.online === total.controllers) this.allOnlineAt = Date.now();
    const simCpuPct = this.nodes.reduce((s, n) => s + n.cpuPct, 0);
    this.status.update(total, { label: this.nodes[0]?.label ?? '', mismatches: this.lastOracle?.unexplained ?? null, simCpuPct, workers: this.nodes.length });
  }

  private async sampleGateway(): Promise<void> {
    const rss = await this.api.metric('process_resident_memory_bytes').catch(() => null);
    if (rss === null) return;
    this.gateway.rssBytesEnd = rss;
    this.gateway.rssBytesPeak = Math.max(this.gateway.rssBytesPeak ?? 0, rss);
  }
}
