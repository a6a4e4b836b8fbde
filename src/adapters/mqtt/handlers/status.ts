import { StatusMessage } from '../../../../protocol/schemas/status.js';
import { applyHello } from '../../../app/device-session.js';
import type { UplinkHandler } from './types.js';

/**
 * status: the hello (online) on every connect. An offline status from the device itself is only
 * legal as its last will (the broker adapter handles wills); published directly it changes
 * nothing, because online/offline follows the connection, not what a device claims.
 */
export const statusHandler: UplinkHandler<typeof StatusMessage> = {
  schema: StatusMessage,
  apply: async (ctx, deviceId, message) => (message.state === 'online' ? applyHello(ctx, deviceId, message) : 'applied'),
};
