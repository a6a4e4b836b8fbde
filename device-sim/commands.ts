import { Command, type AckRejectReasonT, type CommandT } from '../protocol/index.js';
import type { Keypad } from './keypad.js';
import type { Locker } from './locker.js';
import type { SimContext } from './types.js';
import type { UplinkBody } from './uplink.js';

type AckBody = UplinkBody<'acks'>;

/** Remembers the ack of the last `capacity` command ids: the device executes an id at most once. */
export class CommandMemory {
  private readonly acks = new Map<string, AckBody>();

  constructor(private readonly capacity = 256) {}

  get(id: string): AckBody | undefined {
    return this.acks.get(id);
  }

  set(id: string, ack: AckBody): void {
    this.acks.set(id, ack);
    if (this.acks.size > this.capacity) {
      const oldest = this.acks.keys().next().value;
      if (oldest !== undefined) this.acks.delete(oldest);
    }
  }
}

/**
 * Parses, deduplicates, checks and executes commands. The memory survives reboots (firmware
 * keeps it in flash): otherwise a redelivered reboot command would reboot the controller again.
 */
export class CommandProcessor {
  private readonly memory = new CommandMemory(256);
  readonly executed: string[] = [];

  constructor(
    private readonly ctx: SimContext,
    private readonly locker: Locker,
    private readonly keypad: Keypad,
    private readonly scheduleReboot: () => void,
  ) {}

  handle(payload: Buffer): void {
    this.ctx.stats.commandsReceived += 1;
    const cmd = this.parse(payload);
    if (!cmd) return;
    this.ctx.events.emit('command', cmd);
    const prior = this.memory.get(cmd.id);
    if (prior) {
      this.ctx.stats.duplicateCommands += 1;
      this.ctx.sendAck({ ...prior, duplicate: true });
      return;
    }
    const reason = this.rejection(cmd);
    const ack: AckBody =
      reason === null
        ? { commandId: cmd.id, status: 'accepted' }
        : { commandId: cmd.id, status: 'rejected', reason };
    this.memory.set(cmd.id, ack);
    this.ctx.sendAck(ack);
    if (reason === null) {
      this.executed.push(cmd.id);
      this.execute(cmd);
    } else {
      this.ctx.stats.rejectedCommands += 1;
    }
    if (cmd.type === 'keypad_reply') this.keypad.deliver(cmd);
  }

  private parse(payload: Buffer): CommandT | null {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.invalid(payload, 'not JSON');
    }
    const parsed = Command.safeParse(json);
    if (!parsed.success) return this.invalid(payload, parsed.error.message);
    return parsed.data;
  }

  /** Without a trustworthy id there is nothing to ack, so an invalid command is only counted. */
  private invalid(payload: Buffer, reason: string): null {
    this.ctx.stats.invalidCommands += 1;
    this.ctx.logger.warn({ reason }, 'invalid command ignored');
    this.ctx.events.emit('invalid_command', payload, reason);
    return null;
  }

  private rejection(cmd: CommandT): AckRejectReasonT | null {
    if (this.ctx.clock.now() > cmd.expiresAt) return 'expired';
    const target = cmd.type === 'open' || (cmd.type === 'keypad_reply' && cmd.result === 'open');
    if (!target) return null;
    if (cmd.compartment === undefined) return 'invalid';
    if (!this.locker.has(cmd.compartment)) return 'unknown_compartment';
    // One relay sequence at a time per door; a second open would have no distinct outcome.
    if (this.locker.get(cmd.compartment).pendingOpen !== null) return 'busy';
    return null;
  }

  private execute(cmd: CommandT): void {
    switch (cmd.type) {
      case 'open':
        this.locker.beginOpen(this.locker.get(cmd.compartment), cmd.id);
        return;
      case 'keypad_reply':
        if (cmd.result === 'open' && cmd.compartment !== undefined) {
          this.keypad.show('open');
          this.locker.beginOpen(this.locker.get(cmd.compartment), cmd.id);
        } else {
          this.keypad.show(cmd.reason ?? 'deny');
        }
        return;
      case 'reboot':
        this.scheduleReboot();
        return;
      case 'ping':
        return;
    }
  }
}
