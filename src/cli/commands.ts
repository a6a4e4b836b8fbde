import { parseArgs } from 'node:util';
import { createLocker, createSite, provisionDevice, revokeDevice, rotateDeviceSecret } from '../app/provisioning.js';
import { listLockers } from '../app/lockers.js';
import { addCarrier, setCarrierQuota } from '../app/carriers.js';
import { createOperatorToken, revokeOperatorToken } from '../app/tokens.js';
import type { Config } from '../config.js';
import { LockergateError } from '../domain/errors.js';
import { LOCKER_KINDS, SITE_KINDS, type LockerKind, type SiteKind } from '../domain/locker.js';
import { OPERATOR_ROLES, type OperatorRole } from '../domain/token.js';
import { offlineContext } from './offline-context.js';

type Out = (line: string) => void;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T {
  if (value === undefined || !(allowed as readonly string[]).includes(value)) {
    throw new LockergateError('VALIDATION_FAILED', `--${flag} must be one of: ${allowed.join(', ')}`);
  }
  return value as T;
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new LockergateError('VALIDATION_FAILED', `--${flag} is required`);
  return value;
}

/** Administrative commands that work on the data directory: sites, lockers, devices, tokens. */
export async function runAdminCommand(config: Config, argv: string[], out: Out): Promise<void> {
  const [noun, verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      kind: { type: 'string' },
      region: { type: 'string' },
      address: { type: 'string' },
      site: { type: 'string' },
      layout: { type: 'string' },
      role: { type: 'string' },
      webhook: { type: 'string' },
      carrier: { type: 'string' },
      locker: { type: 'string' },
      max: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const { ctx, transport, close } = offlineContext(config);
  const print = (human: string, data: unknown) => out(values.json ? JSON.stringify(data) : human);
  try {
    switch (`${noun} ${verb}`) {
      case 'site add': {
        const site = await createSite(ctx, {
          id: values.id,
          name: required(values.name, 'name'),
          kind: oneOf<SiteKind>(values.kind ?? 'residential', SITE_KINDS, 'kind'),
          regionCode: required(values.region, 'region'),
          address: values.address ?? '',
        }, 'cli');
        return print(`site ${site.id} created`, site);
      }
      case 'locker add': {
        const { locker, compartments } = await createLocker(ctx, {
          id: values.id,
          siteId: required(values.site, 'site'),
          name: required(values.name, 'name'),
          kind: oneOf<LockerKind>(values.kind ?? 'smart_locker', LOCKER_KINDS, 'kind'),
          layout: required(values.layout, 'layout'),
        }, 'cli');
        return print(`locker ${locker.id} created with ${compartments.length} compartments`, { ...locker, compartments: compartments.length });
      }
      case 'locker list': {
        const lockers = await listLockers(ctx, values.site);
        return print(lockers.map((l) => `${l.id}\t${l.kind}\t${l.status}\t${l.compartmentCount} compartments\t${l.deviceId ?? '-'}\t${l.online ? 'online' : 'offline'}\t${l.name}`).join('\n') || '(no lockers)', lockers);
      }
      case 'device provision': {
        const lockerId = required(positionals[0], 'lockerId (positional)');
        const { device, secret, codeKey } = await provisionDevice(ctx, lockerId, 'cli', values.id);
        return print(`device id: ${device.id}\nsecret:    ${secret}\ncode key:  ${codeKey}\n(shown once; only the secret's hash is stored; the code key checks pickup codes offline, protocol §12)`, { deviceId: device.id, lockerId, secret, codeKey });
      }
      case 'device rotate': {
        const { device, secret, codeKey } = await rotateDeviceSecret(ctx, required(positionals[0], 'deviceId (positional)'), 'cli');
        return print(`device id: ${device.id}\nsecret:    ${secret}\ncode key:  ${codeKey}\n(a live session keeps running until it reconnects; the HTTP API closes it at once)`, { deviceId: device.id, secret, codeKey, liveSessionClosed: transport.disconnectRequests.length === 0 });
      }
      case 'device revoke': {
        const device = await revokeDevice(ctx, required(positionals[0], 'deviceId (positional)'), 'cli');
        return print(`device ${device.id} revoked`, { deviceId: device.id, revokedAt: device.revokedAt });
      }
      case 'carrier add': {
        const { carrier, apiKey, webhookSecret } = await addCarrier(ctx, { name: required(values.name, 'name'), webhookUrl: values.webhook, id: values.id }, 'cli');
        const lines = [`carrier id: ${carrier.id}`, `api key:    ${apiKey}`];
        if (webhookSecret) lines.push(`webhook secret: ${webhookSecret}  (verifies lockergate-signature, docs/notifications.md)`);
        lines.push('(shown once; only a hash of the API key is stored)');
        return print(lines.join('\n'), { id: carrier.id, apiKey, webhookSecret });
      }
      case 'carrier quota': {
        const raw = required(values.max, 'max');
        const max = raw === 'none' ? null : Number(raw);
        if (max !== null && (!Number.isInteger(max) || max < 0)) throw new LockergateError('VALIDATION_FAILED', '--max must be a whole number or "none"');
        await setCarrierQuota(ctx, required(values.carrier, 'carrier'), required(values.locker, 'locker'), max, 'cli');
        return print(`quota set: ${max ?? 'none'}`, { carrier: values.carrier, locker: values.locker, max });
      }
      case 'token create': {
        const role = oneOf<OperatorRole>(values.role ?? 'operator', OPERATOR_ROLES, 'role');
        const { token, secret } = await createOperatorToken(ctx, values.name ?? role, role);
        return print(`token id: ${token.id} (${role})\ntoken:    ${secret}\n(shown once)`, { id: token.id, role, token: secret });
      }
      case 'token list': {
        const tokens = await ctx.store.read((tx) => tx.tokens.list());
        return print(tokens.map((t) => `${t.id}\t${t.role}\t${t.revokedAt ? 'revoked' : 'active'}\t${t.name}`).join('\n') || '(no tokens)', tokens);
      }
      case 'token revoke': {
        await revokeOperatorToken(ctx, required(positionals[0], 'token id (positional)'));
        return print('token revoked', { revoked: positionals[0] });
      }
      default:
        throw new LockergateError('VALIDATION_FAILED', `unknown command "${argv.join(' ')}"; run "lockergate help"`);
    }
  } finally {
    await close();
  }
}
