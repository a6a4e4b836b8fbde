import { StatusMessage } from '../../../../protocol/schemas/status.js';
import { applyHello, applySleep } from '../../../app/device-session.js';
import type { UplinkHandler } from './types.js';

/**
 * status: the hello (online) on every connect. An offline status from the device itself is only
 * legal as its last will (the broker adapter handles wills); published directly it changes
 * nothing, because online/offline follows the connection, not what a device claims — except that
 * a sleepy controller's `reason: sleep` says when it will be back (protocol §13).
 */
export const statusHandler: UplinkHandler<typeof StatusMessage> = {
  schema: StatusMessage,
  apply: async (ctx, deviceId, message) => {
    if (message.state === 'online') return applyHello(ctx, deviceId, message);
    return message.reason === 'sleep' && message.nextWakeAt !== undefined ? applySleep(ctx, deviceId, message.bootId, message.nextWakeAt) : 'applied';
  },
};
