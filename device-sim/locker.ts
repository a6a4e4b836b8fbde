import type { OpenResultEventT } from '../protocol/index.js';
import { buildCompartments, type Compartment, type CompartmentSpec } from './compartment.js';
import type { SimContext } from './types.js';

type OpenResult = OpenResultEventT['result'];

/** The compartments, their sensors and the door sequence of an open, as the firmware sees them. */
export class Locker {
  readonly compartments: Compartment[];

  constructor(
    private readonly ctx: SimContext,
    spec: CompartmentSpec[] | number,
  ) {
    this.compartments = buildCompartments(spec);
  }

  has(index: number): boolean {
    return this.compartments[index - 1] !== undefined;
  }

  get(index: number): Compartment {
    const c = this.compartments[index - 1];
    if (!c) throw new RangeError(`no compartment ${index} (have 1-${this.compartments.length})`);
    return c;
  }

  /** Called after the accept ack is sent: the relay has been pulsed, the door may follow. */
  beginOpen(c: Compartment, commandId: string): void {
    if (c.door === 'open') {
      this.result(c, commandId, 'already_open');
      return;
    }
    c.pendingOpen = commandId;
    const { openDelayMs, jamWindowMs } = this.ctx;
    const afterDelay = (): void => {
      // The jam state is sampled when the latch should release, not at the pulse.
      if (c.jammed) {
        this.ctx.timers.set(() => this.result(c, commandId, 'jammed'), jamWindowMs - openDelayMs);
        return;
      }
      if (c.door === 'open') {
        this.result(c, commandId, 'already_open');
        return;
      }
      this.setDoor(c, 'open', commandId);
      this.result(c, commandId, 'opened');
    };
    if (c.jammed) this.ctx.timers.set(() => this.result(c, commandId, 'jammed'), jamWindowMs);
    else this.ctx.timers.set(afterDelay, openDelayMs);
  }

  /**
   * v1.1 local open (README §12.4): the controller granted a code itself. The lock is pulsed at
   * once; the door event carries `openId` as its commandId. No open_result: it is not a command,
   * so an already open or jammed door simply produces no event.
   */
  beginLocalOpen(c: Compartment, openId: string): void {
    if (c.door === 'open') return;
    c.pendingOpen = openId;
    this.ctx.timers.set(() => {
      if (c.pendingOpen === openId) c.pendingOpen = null;
      if (c.jammed || c.door === 'open') return;
      this.setDoor(c, 'open', openId);
    }, this.ctx.openDelayMs);
  }

  /** Drops opens in flight, as a controller losing power does. */
  cancelPending(): void {
    for (const c of this.compartments) c.pendingOpen = null;
  }

  placeParcel(index: number): void {
    const c = this.requireOpen(index, 'place a parcel in');
    this.sensing(c, () => (c.parcel = true));
  }

  removeParcel(index: number): void {
    const c = this.requireOpen(index, 'remove a parcel from');
    this.sensing(c, () => (c.parcel = false));
  }

  closeDoor(index: number): void {
    const c = this.get(index);
    if (c.door === 'closed') return;
    this.setDoor(c, 'closed', undefined);
  }

  /** Pried open: a forced door ignores the latch, jammed or not. */
  forceOpen(index: number): void {
    const c = this.get(index);
    if (c.door === 'open') return;
    this.setDoor(c, 'open', undefined);
  }

  jam(index: number, on: boolean): void {
    // Nothing to report: the controller only learns of a jam when an open fails.
    this.get(index).jammed = on;
  }

  sensorFault(index: number, on: boolean): void {
    const c = this.get(index);
    if (c.sensorFault === on) return;
    if (on) {
      c.sensorFault = true;
      this.ctx.sendEvent({ type: 'fault', fault: 'sensor_fault', compartment: c.index });
      return;
    }
    // v1 has no "fault cleared" event; a fresh reading is how the gateway learns it recovered.
    this.sensing(c, () => (c.sensorFault = false));
  }

  private requireOpen(index: number, what: string): Compartment {
    const c = this.get(index);
    if (c.door !== 'open') throw new Error(`cannot ${what} compartment ${index}: door is closed`);
    return c;
  }

  /** Reports occupancy only when the sensed value changes to a known one. */
  private sensing(c: Compartment, change: () => void): void {
    const before = c.sensedOccupancy();
    change();
    const after = c.sensedOccupancy();
    if (after !== before && after !== 'unknown') {
      this.ctx.sendEvent({ type: 'occupancy', compartment: c.index, occupancy: after });
    }
  }

  private setDoor(c: Compartment, door: 'open' | 'closed', commandId: string | undefined): void {
    c.door = door;
    const event = commandId === undefined ? {} : { commandId };
    this.ctx.sendEvent({ type: 'door', compartment: c.index, door, ...event });
    if (door === 'open') this.ctx.events.emit('opened', c.index, commandId);
  }

  private result(c: Compartment, commandId: string, result: OpenResult): void {
    if (c.pendingOpen === commandId) c.pendingOpen = null;
    this.ctx.sendEvent({ type: 'open_result', commandId, compartment: c.index, result });
  }
}
