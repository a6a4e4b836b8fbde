import { EventEmitter } from 'node:events';
import type { Alarm } from '../domain/alarm.js';
import type { Command } from '../domain/command.js';

/**
 * In-process notifications of committed changes: waiters (an operator's open that waits for its
 * outcome), metrics and live views subscribe here. Emitted only after the change is durable.
 */
export class AppEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per waiting HTTP request; the cap would only produce false leak warnings.
    this.emitter.setMaxListeners(0);
  }

  commandChanged(c: Command): void {
    this.emitter.emit('command', c);
    this.emitter.emit(`command:${c.id}`, c);
  }
  alarmRaised(a: Alarm): void {
    this.emitter.emit('alarm', a);
  }
  onCommand(listener: (c: Command) => void): () => void {
    this.emitter.on('command', listener);
    return () => this.emitter.off('command', listener);
  }
  onCommandId(id: string, listener: (c: Command) => void): () => void {
    this.emitter.on(`command:${id}`, listener);
    return () => this.emitter.off(`command:${id}`, listener);
  }
  onAlarm(listener: (a: Alarm) => void): () => void {
    this.emitter.on('alarm', listener);
    return () => this.emitter.off('alarm', listener);
  }
}
