import type { Logger } from 'pino';
import type { AppContext } from '../../app/context.js';
import type { GatewayMetrics } from '../metrics.js';

/** What the HTTP routes need from the composition root. */
export interface HttpDeps {
  ctx: AppContext;
  metrics: GatewayMetrics;
  log: Logger;
  operatorOpenWaitS: number;
  trustProxy: boolean;
  isBrokerReady: () => boolean;
  /** Resident pickups per client IP per minute. */
  pickupRatePerMinute: number;
  /** LOCKERGATE_OPEN_SHARE_DATA: the aggregated share report needs no token (default false). */
  openShareData?: boolean;
}
