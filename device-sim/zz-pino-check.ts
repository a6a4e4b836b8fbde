import { pino } from 'pino';
import type { SimLogger } from './types.js';
export const l: SimLogger = pino();
