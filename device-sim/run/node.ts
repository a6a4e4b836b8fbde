import { randomBytes } from 'node:crypto';
import { GatewayApi } from '../api/gateway-api.js';
import { SimController } from '../controller.js';
import { parseLayout } from '../fleet/layout.js';
import { openMqttJsSession } from '../mqtt-session.js';
import { openRawSession } from '../raw-session.js';
import { seededRandom } from '../random.js';
import { simSleep, type NodeContext } from './context.js';
import { faultySessions } from './faults.js';
import { Keeper } from './keeper.js';
import { Pulse } from './pulse.js';
import type { FromNode, NodeInit, ToNode } from './messages.js';
import { DayScenario } from './scenarios/day.js';
import type { Scenario } from './scenarios/scenario.js';
import { SteadyScenario } from './scenarios/steady.js';
import { emptyStats, type NodeStats } from './stats.js';
import { World } from './world.js';
import { adoptGatewayView } from './adopt.js';

/**
 * One simulator node: a share of the fleet (its controllers, their ground truth, the people
 * who use those lockers), driven by the supervisor over a message channel. A worker process
 * runs one node; small runs and tests run a node in the supervisor's process.
 */
export class SimNode {
  private readonly world = new World();
  private readonly stats: NodeStats = emptyStats();
  private readonly inFlight = new Set<Promise<unknown>>();
  private keeper!: Keeper;
  private pulse!: Pulse;
  private scenario!: Scenario;
  private api!: GatewayApi;
  private isFrozen = false;
  private serial = 0;
  private statsTimer: NodeJS.Timeout | null = null;
  private readonly cpuAtStart = process.cpuUsage();
  private readonly depositOpenMs: Array<[number, number]> = [];

  constructor(private readonly send: (msg: FromNode) => void) {}

  async handle(msg: ToNode): Promise<void> {
    switch (msg.t) {
      case 'init':
        this.setup(msg.init);
        if (msg.init.adoptWithToken) await adoptGatewayView(this.api, msg.init.adoptWithToken, this.world);
        return this.send({ t: 'ready' });
      case 'start':
        this.keeper.start();
        this.pulse.start();
        this.scenario.start(msg.startAt);
        void this.scenario.finished.then(() => this.send({ t: 'finished' }));
        this.statsTimer = setInterval(() => this.report(), 1000);
        return;
      case 'code':
        this.stats.codesReceived += 1;
        return this.scenario.onCode(msg.parcelId, msg.code);
      case 'quiesce':
        return this.quiesce(msg.timeoutS);
      case 'resume':
        this.isFrozen = false;
        this.pulse.setFaults(true);
        return;
      case 'storm':
        return this.pulse.storm(msg.fraction);
      case 'stop':
        return this.stop();
    }
  }

  private setup(init: NodeInit): void {
    const { options: opts } = init;
    this.api = new GatewayApi(init.httpUrl, opts.httpSockets);
    const random = seededRandom(opts.seed, `node-${init.nodeIndex}`);
    this.keeper = new Keeper(opts, this.stats, seededRandom(opts.seed, `keeper-${init.nodeIndex}`));
    const base = opts.engine === 'raw' ? openRawSession : openMqttJsSession;
    for (const l of init.lockers) {
      const specs = parseLayout(l.layout);
      const ctrlRandom = seededRandom(opts.seed, `ctrl-${l.deviceId}`);
      const controller = new SimController({
        url: l.mqttUrl,
        deviceId: l.deviceId,
        secret: l.secret,
        compartments: specs,
        model: l.kind === 'mailbox_bank' ? 'LG-MB' : 'LG-SL',
        firmware: 'sim-2.0.0',
        keepalive: opts.keepaliveS,
        openDelayMs: opts.openDelayMs,
        jamWindowMs: opts.jamWindowMs,
        // Firmware shows "checking…" for 20 s; people at an accelerated locker are as impatient.
        keypadTimeoutMs: Math.max(3000, 20_000 / opts.speed),
        localAddress: l.localAddress,
        power: l.kind === 'mailbox_bank' ? 'battery' : 'mains',
        kind: l.kind,
        ...(l.codeKey ? { codeKey: l.codeKey } : {}),
        // Protocol 1.1 §13: a sleepy bank wakes every mailboxWakeS simulated seconds and stays
        // awake 2 simulated seconds after the last command or touch (at least 300 ms of real time).
        ...(l.kind === 'mailbox_bank' && opts.mailboxWakeS > 0
          ? { sleepy: { wakeIntervalS: opts.mailboxWakeS, speed: opts.speed, awakeMs: Math.max(300, 2000 / opts.speed) } }
          : {}),
        random: ctrlRandom,
        bootId: () => randomBytes(12).toString('base64url'),
        session: faultySessions(base, opts.faults, ctrlRandom, (kind, detail) => this.world.record(kind, l.lockerId, detail)),
        ackDelayMs: opts.faults.lateAcks > 0
          ? (ack) => {
              if (ack.duplicate || ctrlRandom() >= opts.faults.lateAcks) return 0;
              this.world.record('late_ack', l.lockerId);
              return opts.faults.lateAckMs;
            }
          : undefined,
      });
      this.world.lockers.set(l.lockerId, {
        lockerId: l.lockerId,
        deviceId: l.deviceId,
        kind: l.kind,
        compartments: specs.map((s, i) => ({ index: i + 1, size: s.size, sensor: s.occupancySensor !== false, content: null, busy: false })),
        controller,
        pendingDeposits: 0,
      });
      this.keeper.add(l.lockerId, controller);
    }
    this.stats.controllers = init.lockers.length;
    const controllers = new Map([...this.world.lockers.values()].map((l) => [l.lockerId, l.controller]));
    this.pulse = new Pulse(opts, this.world, this.stats, seededRandom(opts.seed, `pulse-${init.nodeIndex}`), controllers, (id, ms) => this.keeper.outage(id, ms));
    // Tracking numbers and idempotency keys must not collide with an earlier run's.
    const runId = Date.now().toString(36);
    const ctx: NodeContext = {
      nodeIndex: init.nodeIndex,
      opts,
      api: this.api,
      carrierKeys: init.carrierKeys,
      world: this.world,
      stats: this.stats,
      random,
      keeper: this.keeper,
      holdHours: opts.holdHours ?? Math.min(168, Math.max(1, Math.ceil(48 / opts.speed))),
      announceParcel: (parcelId) => this.send({ t: 'parcel', parcelId }),
      frozen: () => this.isFrozen,
      track: (op) => {
        this.inFlight.add(op);
        this.stats.inFlight = this.inFlight.size;
        void op.catch(() => undefined).finally(() => {
          this.inFlight.delete(op);
          this.stats.inFlight = this.inFlight.size;
        });
      },
      sleepSim: (simMs) => simSleep(opts.speed, simMs),
      nextSerial: () => `${runId}-${init.nodeIndex}-${(this.serial += 1).toString(36)}`,
      recordOpenLatency: (startedAt, ms) => void this.depositOpenMs.push([startedAt, ms]),
    };
    // The supervisor already gave this node its share of --rate.
    this.scenario = opts.scenario === 'day' ? new DayScenario(ctx) : new SteadyScenario(ctx, opts.scenario === 'idle' ? 0 : opts.rate);
  }

  /** Nobody starts anything, operations in progress finish, every controller is online and drained. */
  private async quiesce(timeoutS: number): Promise<void> {
    this.isFrozen = true;
    this.pulse.setFaults(false);
    const deadline = Date.now() + timeoutS * 1000;
    const ops = Promise.allSettled([...this.inFlight]);
    const opsDone = await Promise.race([ops.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutS * 1000))]);
    const linksDone = await this.keeper.settled(Math.max(1000, deadline - Date.now()));
    const unsettled = opsDone && linksDone ? null : { operations: this.inFlight.size, ...this.keeper.unsettled() };
    this.send({ t: 'quiesced', truth: this.world.dump(), unsettled });
  }

  private async stop(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    // Who was online at the end, before the controllers say goodbye.
    this.snapshotStats();
    this.keeper.freezeOnline();
    this.pulse.stop();
    this.scenario.stop();
    await this.keeper.stop();
    this.api.close();
    this.report(false);
    this.send({ t: 'stopped', stats: this.snapshotStats(), connectLatencyMs: this.keeper.connectLatencyMs, depositOpenMs: this.depositOpenMs });
  }

  private snapshotStats(): NodeStats {
    const cpu = process.cpuUsage(this.cpuAtStart);
    this.stats.online = this.keeper.online;
    this.stats.cpuUserUs = cpu.user;
    this.stats.cpuSystemUs = cpu.system;
    this.stats.rssBytes = process.memoryUsage.rss();
    this.stats.faults = { ...this.world.faultCounts };
    return this.stats;
  }

  private report(send = true): void {
    const stats = this.snapshotStats();
    if (send) this.send({ t: 'stats', stats, label: this.scenario.label() });
  }
}
