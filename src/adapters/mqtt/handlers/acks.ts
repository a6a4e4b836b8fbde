import { CommandAck } from '../../../../protocol/schemas/acks.js';
import { applyCommandAck } from '../../../app/device-uplink.js';
import type { UplinkHandler } from './types.js';

/** acks: accepted/rejected per command id; a duplicate ack changes nothing. */
export const acksHandler: UplinkHandler<typeof CommandAck> = {
  schema: CommandAck,
  apply: applyCommandAck,
};
