import type { Device } from '../domain/device.js';
import type { AppContext } from './context.js';
import type { Effects } from './effects.js';
import type { Tx } from './ports.js';

/** What a device-event handler works with: one transaction, the sending device, and its effects. */
export interface EventScope {
  ctx: AppContext;
  tx: Tx;
  device: Device;
  now: number;
  effects: Effects;
}
