import { COMMAND_TYPES, Command, CommandId, type AckRejectReasonT, type CommandT } from '../protocol/index.js';
import type { CodeStore } from './codes.js';
import type { Keypad } from './keypad.js';
import type { Locker } from './locker.js';
import type { SimContext } from './types.js';
import type { UplinkBody } from './uplink.js';

type AckBody = UplinkBody<'acks'>;

/**
 * §6.4: the ack of every handled id, kept for at least the last `capacity` ids or until the
 * id's expiresAt, whichever covers more, so a resend inside its lifetime is never executed.
 */
export class CommandMemory {
  private readonly acks = new Map<string, { ack: AckBody; expiresAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly capacity = 256,
  ) {}

  get(id: string): AckBody | undefined {
    return this.acks.get(id)?.ack;
  }

  set(id: string, ack: AckBody, expiresAt: number): void {
    this.acks.set(id, { ack, expiresAt });
    for (const [oldId, entry] of this.acks) {
      if (this.acks.size <= this.capacity || entry.expiresAt >= this.now()) break;
      this.acks.delete(oldId);
    }
  }
}

/**
 * Protocol §6.2: parse, repeat check, validate, expiry, execute. The memory survives reboots
 * (§6.4, firmware keeps it in flash), so a resent reboot command does not reboot twice.
 */
export class CommandProcessor {
  private readonly memory: CommandMemory;
  readonly executed: string[] = [];

  constructor(
    private readonly ctx: SimContext,
    private readonly locker: Locker,
    private readonly keypad: Keypad,
    private readonly onReboot: (ackDelivered: Promise<boolean>) => void,
    /** v1.1 code set; null for a 1.0 controller or one without a code key (code_sync: unsupported). */
    private readonly codes: CodeStore | null = null,
  ) {
    this.memory = new CommandMemory(() => ctx.clock.now(), 256);
  }

  handle(payload: Buffer): void {
    this.ctx.stats.commandsReceived += 1;
    const raw = this.parseId(payload);
    if (!raw) return;
    const prior = this.memory.get(raw.id);
    if (prior) {
      this.ctx.stats.duplicateCommands += 1;
      void this.ctx.sendAck({ ...prior, duplicate: true });
      return;
    }
    const parsed = Command.safeParse(raw.json);
    if (!parsed.success) {
      const known = (COMMAND_TYPES as readonly unknown[]).includes(raw.json['type']);
      this.invalid(payload, known ? 'schema' : 'unsupported type');
      this.answer(raw.id, known ? 'invalid' : 'unsupported', expiryOf(raw.json));
      return;
    }
    const cmd = parsed.data;
    this.ctx.events.emit('command', cmd);
    const reason = this.rejection(cmd);
    // §6.8: a code_sync is in force (and in flash) before its ack goes out.
    if (reason === null && cmd.type === 'code_sync') this.syncCodes(cmd);
    const delivered = this.answer(cmd.id, reason, cmd.expiresAt);
    if (reason === null) {
      this.executed.push(cmd.id);
      this.execute(cmd, delivered);
    }
    if (cmd.type === 'keypad_reply' && reason !== 'expired') {
      if (reason !== null) this.keypad.show('error');
      this.keypad.answer(cmd);
    }
  }

  /** Step 1: without a usable id there is nothing to ack, so the message is only counted. */
  private parseId(payload: Buffer): { id: string; json: Record<string, unknown> } | null {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.invalid(payload, 'not JSON');
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return this.invalid(payload, 'not an object');
    const id = CommandId.safeParse((json as Record<string, unknown>)['id']);
    if (!id.success) return this.invalid(payload, 'no valid id');
    return { id: id.data, json: json as Record<string, unknown> };
  }

  private invalid(payload: Buffer, reason: string): null {
    this.ctx.stats.invalidCommands += 1;
    this.ctx.logger.warn({ reason }, 'invalid command');
    this.ctx.events.emit('invalid_command', payload, reason);
    return null;
  }

  /** Every ack is remembered, rejections included, so a resend is answered identically. */
  private answer(id: string, reason: AckRejectReasonT | null, expiresAt: number): Promise<boolean> {
    const ack: AckBody =
      reason === null ? { commandId: id, status: 'accepted' } : { commandId: id, status: 'rejected', reason };
    if (reason !== null) this.ctx.stats.rejectedCommands += 1;
    this.memory.set(id, ack, expiresAt);
    return this.ctx.sendAck(ack);
  }

  private rejection(cmd: CommandT): AckRejectReasonT | null {
    // §6.2 step 3: a firmware without offline codes does not implement code_sync.
    if (cmd.type === 'code_sync' && !this.codes) return 'unsupported';
    // §6.2 step 4 says expiresAt ≤ now; the schema comment says "after this instant". The
    // stricter reading is used: a command is dead at its expiry instant.
    if (cmd.expiresAt <= this.ctx.clock.now()) return 'expired';
    if (cmd.type === 'keypad_reply' && !this.keypad.isPending(cmd.requestId)) return 'expired';
    if (cmd.type === 'code_sync' && cmd.mode === 'delta' && cmd.fromVersion !== this.codes?.version) return 'out_of_sync';
    const opens = cmd.type === 'open' || (cmd.type === 'keypad_reply' && cmd.result === 'open');
    if (!opens) return null;
    if (cmd.compartment === undefined) return 'invalid';
    if (!this.locker.has(cmd.compartment)) return 'unknown_compartment';
    if (this.locker.get(cmd.compartment).pendingOpen !== null) return 'busy';
    return null;
  }

  private execute(cmd: CommandT, ackDelivered: Promise<boolean>): void {
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
        this.onReboot(ackDelivered);
        return;
      case 'ping':
      case 'code_sync':
        return;
    }
  }

  /** §12.3: a delta on top of the version held (checked in `rejection`), or one part of a full set. */
  private syncCodes(cmd: Extract<CommandT, { type: 'code_sync' }>): void {
    if (!this.codes) return;
    const complete = cmd.mode === 'delta' ? this.codes.applyDelta(cmd) : this.codes.stageFull(cmd);
    if (complete) this.ctx.events.emit('codes', this.codes.version, this.codes.count);
  }
}

/** An invalid command may still carry a usable expiry; without one it is kept for 256 ids only. */
function expiryOf(json: Record<string, unknown>): number {
  const expiresAt = json['expiresAt'];
  return typeof expiresAt === 'number' && Number.isFinite(expiresAt) ? expiresAt : 0;
}
