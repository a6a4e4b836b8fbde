import { StateSnapshot } from '../../../../protocol/schemas/state.js';
import { applySnapshot } from '../../../app/device-uplink.js';
import type { UplinkHandler } from './types.js';

/** state: the full compartment snapshot after every (re)connect (protocol README §6). */
export const stateHandler: UplinkHandler<typeof StateSnapshot> = {
  schema: StateSnapshot,
  apply: applySnapshot,
};
