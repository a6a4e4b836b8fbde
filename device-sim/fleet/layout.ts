import type { CompartmentSize, CompartmentSpec } from '../compartment.js';

export const SIZES: readonly CompartmentSize[] = ['XS', 'S', 'M', 'L', 'XL'];
export const SIZE_RANK: Readonly<Record<CompartmentSize, number>> = { XS: 0, S: 1, M: 2, L: 3, XL: 4 };

/**
 * The gateway's layout notation (README "Provision a locker"): "S:8,M:10,L:6", compartments
 * numbered 1..n in that order, ":nosensor" for compartments without an occupancy sensor.
 * Parsed here again because the simulator speaks only the public API, never src/.
 */
export function parseLayout(layout: string): CompartmentSpec[] {
  const specs: CompartmentSpec[] = [];
  for (const raw of layout.split(',')) {
    const m = /^(XS|S|M|L|XL):(\d{1,3})(:nosensor)?$/.exec(raw.trim());
    if (!m) throw new Error(`layout part "${raw.trim()}" is not SIZE:COUNT[:nosensor]`);
    for (let i = 0; i < Number(m[2]); i += 1) specs.push({ size: m[1] as CompartmentSize, occupancySensor: m[3] === undefined });
  }
  if (specs.length < 1 || specs.length > 300) throw new Error(`a simulated locker has 1-300 compartments (protocol v1 snapshot limit), got ${specs.length}`);
  return specs;
}

/** Layouts the simulator provisions: smart locker columns and retrofitted mailbox banks. */
export const SMART_LOCKER_LAYOUTS = ['S:8,M:10,L:6', 'XS:6,S:8,M:6,L:4', 'S:12,M:8,L:4', 'S:4,M:4,L:4,XL:2', 'S:8,M:8'] as const;
/** Mailbox banks: household compartments, most without an occupancy sensor (couriers confirm). */
export const MAILBOX_BANK_LAYOUTS = ['S:12:nosensor,M:4:nosensor', 'S:18:nosensor,M:6', 'XS:8:nosensor,S:8:nosensor'] as const;
