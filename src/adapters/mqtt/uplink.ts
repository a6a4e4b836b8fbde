import type { Logger } from 'pino';
import { MAX_PAYLOAD_BYTES } from '../../../protocol/index.js';
import type { UplinkChannel } from '../../../protocol/topics.js';
import type { AppContext } from '../../app/context.js';
import type { UplinkVerdict } from '../../app/device-session.js';
import type { GatewayMetrics } from '../metrics.js';
import { UPLINK_HANDLERS } from './handlers/index.js';

export type UplinkOutcome = UplinkVerdict | 'oversize' | 'invalid_json' | 'schema_invalid';

/**
 * The thin dispatcher in front of the per-channel handlers: size check, one JSON parse, one
 * schema parse (schemas are built once at module load), then the use case. A message that
 * fails is counted by reason, logged at debug without its payload, and changes nothing.
 */
export async function handleUplink(
  ctx: AppContext,
  metrics: GatewayMetrics,
  log: Logger,
  deviceId: string,
  channel: UplinkChannel,
  payload: Buffer,
): Promise<UplinkOutcome> {
  metrics.messagesIn.inc({ channel });
  const outcome = await parseAndApply(ctx, log, deviceId, channel, payload);
  switch (outcome) {
    case 'applied':
      break;
    case 'gap':
      metrics.sequenceGaps.inc();
      log.debug({ deviceId, channel }, 'sequence gap: messages were lost or skipped');
      break;
    case 'duplicate':
    case 'stale_boot':
      metrics.duplicates.inc({ reason: outcome });
      break;
    default:
      metrics.rejected.inc({ reason: outcome });
      log.debug({ deviceId, channel, reason: outcome }, 'device message rejected');
  }
  return outcome;
}

async function parseAndApply(
  ctx: AppContext,
  log: Logger,
  deviceId: string,
  channel: UplinkChannel,
  payload: Buffer,
): Promise<UplinkOutcome> {
  if (payload.length > MAX_PAYLOAD_BYTES) return 'oversize';
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'invalid_json';
  }
  const handler = UPLINK_HANDLERS[channel];
  const parsed = handler.schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    log.debug({ deviceId, channel, path: first?.path.join('.'), problem: first?.message }, 'payload failed its schema');
    return 'schema_invalid';
  }
  return handler.apply(ctx, deviceId, parsed.data);
}
