import { pooledRandomBytes } from './adapters/pooled-random.js';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AppContext } from './app/context.js';
import { dispatchDue, type DispatchDeps, type DispatchReport } from './app/dispatch-notifications.js';
import { AppEventBus } from './app/events.js';
import type { RandomBytes } from './app/ports.js';
import type { AppSettings } from './app/settings.js';
import { buildApp } from './adapters/http/app.js';
import { startJobs } from './adapters/jobs/schedules.js';
import { FetchPoster } from './adapters/notify/fetch-poster.js';
import { pinoNotificationLog } from './adapters/notify/pino-log.js';
import { GatewayMetrics } from './adapters/metrics.js';
import { MqttGateway } from './adapters/mqtt/broker.js';
import { attachMqttWebSocket } from './adapters/mqtt/websocket.js';
import { SqliteStore } from './adapters/storage/sqlite/db.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { CodeSyncPump } from './app/offline/sync.js';
import { loadOrCreateKeys, type Keys } from './keys.js';
import { lockerShareRatios } from './app/reports/share-report.js';

export interface GatewayOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  random?: RandomBytes;
  /** Tests drive the sweeper by hand with a moved clock. */
  runJobs?: boolean;
}

export interface Gateway {
  ctx: AppContext;
  keys: Keys;
  http: FastifyInstance;
  mqtt: MqttGateway;
  metrics: GatewayMetrics;
  store: SqliteStore;
  httpPort: number;
  mqttPort: number;
  /** The MQTT-over-TLS port, when LOCKERGATE_TLS_CERT_FILE/_KEY_FILE are set. */
  mqttsPort: number | undefined;
  /** One pass of the notification dispatcher (the jobs run it every 2 s; tests call it by hand). */
  dispatchNotifications(): Promise<DispatchReport>;
  close(): Promise<void>;
}

export function settingsFrom(config: Config): AppSettings {
  return {
    commandTtlMs: config.LOCKERGATE_COMMAND_TTL_S * 1000,
    ackTimeoutMs: config.LOCKERGATE_COMMAND_ACK_TIMEOUT_S * 1000,
    openOutcomeTimeoutMs: config.LOCKERGATE_OPEN_OUTCOME_TIMEOUT_S * 1000,
    doorLeftOpenMs: config.LOCKERGATE_DOOR_LEFT_OPEN_S * 1000,
    deviceOfflineAlarmMs: config.LOCKERGATE_DEVICE_OFFLINE_ALARM_S * 1000,
    openAttributionMs: 30_000,
    pickupCodeDigits: config.LOCKERGATE_PICKUP_CODE_DIGITS,
    codeMaxFailures: config.LOCKERGATE_CODE_MAX_FAILURES,
    codeFailureWindowMs: config.LOCKERGATE_CODE_FAILURE_WINDOW_S * 1000,
    codeLockoutMs: config.LOCKERGATE_CODE_LOCKOUT_S * 1000,
    codeGuessingAlarmPerHour: config.LOCKERGATE_CODE_GUESSING_ALARM_PER_HOUR,
    defaultHoldHours: config.LOCKERGATE_DEFAULT_HOLD_HOURS,
    maxHoldHours: config.LOCKERGATE_MAX_HOLD_HOURS,
    reminderBeforeMs: config.LOCKERGATE_REMINDER_BEFORE_H * 3_600_000,
    leftBehindWindowMs: 10 * 60_000,
    depositUnconfirmedMs: config.LOCKERGATE_DEPOSIT_UNCONFIRMED_S * 1000,
    personalDataRetentionMs: config.LOCKERGATE_PERSONAL_DATA_RETENTION_DAYS * 86_400_000,
  };
}

export function openStore(config: Config, metrics?: GatewayMetrics): SqliteStore {
  return new SqliteStore({ file: join(config.LOCKERGATE_DATA_DIR, 'lockergate.db'), ...(metrics ? { observer: metrics.storeObserver() } : {}) });
}

/**
 * The composition root, in steps: keys, store (migrated), broker, use-case context, HTTP app
 * with MQTT over WebSocket, listeners, jobs. `close()` undoes them in reverse order.
 */
export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config, log } = opts;
  const keys = loadOrCreateKeys(config);
  const metrics = new GatewayMetrics({ defaultMetrics: true });
  const store = openStore(config, metrics);
  await store.transact((tx) => tx.devices.markAllOffline()); // no connection survives a restart
  const mqtt = await MqttGateway.create(
    {
      maxPacketBytes: config.LOCKERGATE_MQTT_MAX_PACKET_BYTES,
      maxConnections: config.LOCKERGATE_MQTT_MAX_CONNECTIONS,
      connectRatePerIp: config.LOCKERGATE_MQTT_CONNECT_RATE_PER_IP,
      connectBurstPerIp: config.LOCKERGATE_MQTT_CONNECT_BURST_PER_IP,
      connectTimeoutMs: config.LOCKERGATE_MQTT_CONNECT_TIMEOUT_S * 1000,
      keepaliveMaxS: config.LOCKERGATE_MQTT_KEEPALIVE_MAX_S,
    },
    metrics,
    log,
  );
  const codeSync = new CodeSyncPump();
  const ctx: AppContext = {
    store,
    clock: opts.clock ?? systemClock,
    random: opts.random ?? pooledRandomBytes(),
    transport: mqtt,
    events: new AppEventBus(),
    settings: settingsFrom(config),
    startedAt: (opts.clock ?? systemClock).now(),
    keys,
    codeSync,
  };
  codeSync.attach(ctx);
  mqtt.attach(ctx);
  observe(ctx, metrics, log);
  metrics.setLockerShareSource(() => lockerShareRatios(ctx));
  let listening = false;
  const http = await buildApp({
    ctx,
    metrics,
    log,
    operatorOpenWaitS: config.LOCKERGATE_OPERATOR_OPEN_WAIT_S,
    trustProxy: config.LOCKERGATE_TRUST_PROXY,
    isBrokerReady: () => listening,
    pickupRatePerMinute: config.LOCKERGATE_PICKUP_RATE_PER_MIN,
    openShareData: config.LOCKERGATE_OPEN_SHARE_DATA,
  });
  const wss = attachMqttWebSocket(http.server, mqtt, config.LOCKERGATE_MQTT_MAX_PACKET_BYTES);
  await http.listen({ port: config.LOCKERGATE_HTTP_PORT, host: config.LOCKERGATE_HTTP_HOST });
  const mqttAddress = await mqtt.listenTcp(config.LOCKERGATE_MQTT_PORT, config.LOCKERGATE_MQTT_HOST);
  const mqttsAddress = await listenMqtts(config, mqtt, log);
  listening = true;
  const notifyDeps: DispatchDeps = {
    poster: new FetchPoster(),
    recipientEndpoint:
      config.LOCKERGATE_RECIPIENT_WEBHOOK_URL && config.LOCKERGATE_RECIPIENT_WEBHOOK_SECRET
        ? { url: config.LOCKERGATE_RECIPIENT_WEBHOOK_URL, secret: config.LOCKERGATE_RECIPIENT_WEBHOOK_SECRET }
        : null,
    log: pinoNotificationLog(log),
    maxAttempts: config.LOCKERGATE_NOTIFY_MAX_ATTEMPTS,
    batch: 100,
  };
  const retentionMs = config.LOCKERGATE_PERSONAL_DATA_RETENTION_DAYS * 86_400_000;
  const jobs = opts.runJobs === false ? { stop: async () => undefined } : startJobs(ctx, log, { deps: notifyDeps, retentionMs });

  return {
    ctx,
    keys,
    http,
    mqtt,
    metrics,
    store,
    httpPort: (http.server.address() as AddressInfo).port,
    mqttPort: mqttAddress.port,
    mqttsPort: mqttsAddress?.port,
    dispatchNotifications: () => dispatchDue(ctx, notifyDeps),
    async close() {
      listening = false;
      await jobs.stop();
      for (const client of wss.clients) client.terminate();
      await mqtt.close();
      await http.close();
      await store.close();
    },
  };
}

/** The MQTTS listener on the MQTT host, when a server certificate is configured (deploy/tls/README.md). */
async function listenMqtts(config: Config, mqtt: MqttGateway, log: Logger): Promise<AddressInfo | undefined> {
  if (config.LOCKERGATE_TLS_CERT_FILE === undefined || config.LOCKERGATE_TLS_KEY_FILE === undefined) return undefined;
  const address = await mqtt.listenTls(config.LOCKERGATE_MQTTS_PORT, config.LOCKERGATE_MQTT_HOST, {
    certFile: config.LOCKERGATE_TLS_CERT_FILE,
    keyFile: config.LOCKERGATE_TLS_KEY_FILE,
    caFile: config.LOCKERGATE_TLS_CA_FILE,
    requireClientCert: config.LOCKERGATE_TLS_REQUIRE_CLIENT_CERT,
    handshakeTimeoutMs: config.LOCKERGATE_MQTT_CONNECT_TIMEOUT_S * 1000,
  });
  log.info({ mqtts: `mqtts://${config.LOCKERGATE_MQTT_HOST}:${address.port}`, clientCertificates: config.LOCKERGATE_TLS_REQUIRE_CLIENT_CERT ? 'required' : config.LOCKERGATE_TLS_CA_FILE ? 'optional' : 'off' }, 'MQTT over TLS listening');
  return address;
}

/** Committed changes feed metrics and the operator log (alarms are worth a line each). */
function observe(ctx: AppContext, metrics: GatewayMetrics, log: Logger): void {
  ctx.events.onCommand((c) => {
    if (c.completedAt !== null) metrics.commands.inc({ type: c.type, outcome: c.outcome ?? c.state });
  });
  ctx.events.onAlarm((a) => {
    metrics.alarms.inc({ kind: a.kind });
    log.warn({ alarmId: a.id, kind: a.kind, lockerId: a.lockerId, compartment: a.compartment }, 'alarm raised');
  });
}
