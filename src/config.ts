import { z } from 'zod';

/**
 * The one configuration schema (env vars), parsed once at boot and frozen. A bad value stops
 * boot with a message that names the variable. Defaults live here and nowhere else.
 */
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const seconds = z.coerce.number().positive().max(86_400 * 365);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const hexKey = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)');

export const ConfigSchema = z.object({
  LOCKERGATE_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  LOCKERGATE_HTTP_PORT: port.default(8080),
  LOCKERGATE_MQTT_HOST: z.string().min(1).default('0.0.0.0'),
  LOCKERGATE_MQTT_PORT: port.default(1883),
  LOCKERGATE_DATA_DIR: z.string().min(1).default('./data'),
  LOCKERGATE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOCKERGATE_MQTT_MAX_PACKET_BYTES: positiveInt.min(1024).max(268_435_455).default(65_536),
  LOCKERGATE_MQTT_MAX_CONNECTIONS: positiveInt.default(100_000),
  LOCKERGATE_MQTT_CONNECT_RATE_PER_IP: positiveInt.default(200),
  LOCKERGATE_MQTT_CONNECT_BURST_PER_IP: positiveInt.default(2_000),
  LOCKERGATE_MQTT_CONNECT_TIMEOUT_S: seconds.default(10),
  LOCKERGATE_MQTT_KEEPALIVE_MAX_S: positiveInt.max(65_535).default(600),
  LOCKERGATE_COMMAND_TTL_S: seconds.default(60),
  LOCKERGATE_COMMAND_ACK_TIMEOUT_S: seconds.default(10),
  LOCKERGATE_OPEN_OUTCOME_TIMEOUT_S: seconds.default(15),
  LOCKERGATE_DOOR_LEFT_OPEN_S: seconds.default(120),
  LOCKERGATE_DEPOSIT_UNCONFIRMED_S: seconds.default(900),
  LOCKERGATE_DEVICE_OFFLINE_ALARM_S: seconds.default(600),
  LOCKERGATE_OPERATOR_OPEN_WAIT_S: seconds.max(120).default(10),
  LOCKERGATE_PICKUP_CODE_DIGITS: z.coerce.number().int().min(6).max(8).default(6),
  LOCKERGATE_CODE_MAX_FAILURES: positiveInt.max(100).default(5),
  LOCKERGATE_CODE_FAILURE_WINDOW_S: seconds.default(600),
  LOCKERGATE_CODE_LOCKOUT_S: seconds.default(900),
  LOCKERGATE_CODE_GUESSING_ALARM_PER_HOUR: positiveInt.max(1000).default(12),
  LOCKERGATE_DEFAULT_HOLD_HOURS: positiveInt.max(24 * 30).default(72),
  LOCKERGATE_MAX_HOLD_HOURS: positiveInt.max(24 * 30).default(168),
  LOCKERGATE_REMINDER_BEFORE_H: z.coerce.number().min(0).max(24 * 30).default(12),
  LOCKERGATE_PICKUP_RATE_PER_MIN: positiveInt.max(10_000).default(10),
  LOCKERGATE_PICKUP_CODE_KEY: hexKey.optional(),
  LOCKERGATE_DATA_KEY: hexKey.optional(),
  LOCKERGATE_TRUST_PROXY: bool.default(false),
  LOCKERGATE_RECIPIENT_WEBHOOK_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  LOCKERGATE_RECIPIENT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LOCKERGATE_NOTIFY_MAX_ATTEMPTS: positiveInt.max(100).default(10),
  LOCKERGATE_PERSONAL_DATA_RETENTION_DAYS: positiveInt.max(3_650).default(30),
  // Opens the aggregated share report (and the region list) without a token; never parcel-level data.
  LOCKERGATE_OPEN_SHARE_DATA: bool.default(false),
  // MQTT over TLS (deploy/tls/README.md): the listener starts when a certificate and key are given.
  LOCKERGATE_MQTTS_PORT: port.default(8883),
  LOCKERGATE_TLS_CERT_FILE: z.string().min(1).optional(),
  LOCKERGATE_TLS_KEY_FILE: z.string().min(1).optional(),
  /** CA that signs device certificates; with it, a device may present one (its CN must be the device id). */
  LOCKERGATE_TLS_CA_FILE: z.string().min(1).optional(),
  LOCKERGATE_TLS_REQUIRE_CLIENT_CERT: bool.default(false),
}).superRefine((c, ctx) => {
  if ((c.LOCKERGATE_TLS_CERT_FILE === undefined) !== (c.LOCKERGATE_TLS_KEY_FILE === undefined)) {
    const missing = c.LOCKERGATE_TLS_CERT_FILE === undefined ? 'LOCKERGATE_TLS_CERT_FILE' : 'LOCKERGATE_TLS_KEY_FILE';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'LOCKERGATE_TLS_CERT_FILE and LOCKERGATE_TLS_KEY_FILE go together' });
  }
  if (c.LOCKERGATE_TLS_REQUIRE_CLIENT_CERT && (c.LOCKERGATE_TLS_CA_FILE === undefined || c.LOCKERGATE_TLS_CERT_FILE === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['LOCKERGATE_TLS_REQUIRE_CLIENT_CERT'], message: 'needs LOCKERGATE_TLS_CA_FILE and a server certificate (LOCKERGATE_TLS_CERT_FILE/_KEY_FILE)' });
  }
  // Recipient messages carry pickup codes: they are never sent unsigned.
  if (c.LOCKERGATE_RECIPIENT_WEBHOOK_URL !== undefined && c.LOCKERGATE_RECIPIENT_WEBHOOK_SECRET === undefined) {
    ctx.addIssue({ code: 'custom', path: ['LOCKERGATE_RECIPIENT_WEBHOOK_SECRET'], message: 'required when LOCKERGATE_RECIPIENT_WEBHOOK_URL is set' });
  }
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads only LOCKERGATE_* variables; an unknown LOCKERGATE_* name is an error (a typo would otherwise be ignored). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const ours = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('LOCKERGATE_') && v !== undefined && v !== ''));
  const known = new Set(Object.keys(ConfigSchema.shape));
  const unknown = Object.keys(ours).filter((k) => !known.has(k));
  const parsed = ConfigSchema.safeParse(ours);
  const problems = unknown.map((k) => `${k}: unknown setting (known: see deploy/lockergate.env.example)`);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '?');
      // Keys and secrets are never echoed back, not even when they are wrong.
      const shown = /(_KEY|_SECRET)$/.test(name) ? '[redacted]' : JSON.stringify(ours[name] ?? '');
      problems.push(`${name}=${shown}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return Object.freeze(parsed.data);
}
