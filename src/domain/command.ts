import type { CommandType } from '../../protocol/schemas/commands.js';

export type { CommandType };

export const COMMAND_STATES = ['queued', 'sent', 'accepted', 'done', 'failed', 'expired'] as const;
export type CommandState = (typeof COMMAND_STATES)[number];

export const TERMINAL_COMMAND_STATES: ReadonlySet<CommandState> = new Set(['done', 'failed', 'expired']);

/** Why a command ended in failed/expired, or how an open ended in done. */
export type CommandOutcome =
  | 'opened'
  | 'already_open'
  | 'acknowledged'
  | 'jammed'
  | 'open_not_detected'
  | 'rejected_expired'
  | 'rejected_unknown_compartment'
  | 'rejected_busy'
  | 'rejected_unsupported'
  | 'rejected_invalid'
  | 'rejected_out_of_sync'
  | 'superseded'
  | 'expired_undelivered'
  | 'expired_unacknowledged'
  | 'interrupted_by_reboot';

export interface Command {
  id: string;
  deviceId: string;
  lockerId: string;
  type: CommandType;
  /** Type-specific fields sent to the device (compartment, requestId …). */
  params: Record<string, unknown>;
  state: CommandState;
  outcome: CommandOutcome | null;
  createdAt: number;
  expiresAt: number;
  sentAt: number | null;
  acceptedAt: number | null;
  completedAt: number | null;
  attempts: number;
  /** Who asked: `operator:<tokenId>`, `system`, `deposit:<id>` … for the audit trail. */
  actor: string;
}

export function isTerminal(c: Command): boolean {
  return TERMINAL_COMMAND_STATES.has(c.state);
}

/** Only opens wait for a door sensor; every other command is done when accepted. */
export function needsOutcome(c: Command): boolean {
  return c.type === 'open' || (c.type === 'keypad_reply' && c.params['result'] === 'open');
}

export function markSent(c: Command, now: number): Command | null {
  if (c.state !== 'queued' && c.state !== 'sent') return null;
  return { ...c, state: 'sent', sentAt: now, attempts: c.attempts + 1 };
}

export function applyAck(
  c: Command,
  ack: { status: 'accepted' | 'rejected'; reason?: string | undefined },
  now: number,
): Command | null {
  if (c.state !== 'queued' && c.state !== 'sent') return null;
  if (ack.status === 'rejected') {
    const outcome = `rejected_${ack.reason ?? 'invalid'}` as CommandOutcome;
    return { ...c, state: ack.reason === 'expired' ? 'expired' : 'failed', outcome, completedAt: now };
  }
  if (needsOutcome(c)) return { ...c, state: 'accepted', acceptedAt: now };
  return { ...c, state: 'done', outcome: 'acknowledged', acceptedAt: now, completedAt: now };
}

/** The controller's own verdict on an open: opened, already open, or jammed. */
export function applyOpenResult(c: Command, result: 'opened' | 'already_open' | 'jammed', now: number): Command | null {
  // An outcome may overtake its ack (both QoS 1 but on different topics); accept it from `sent` too.
  if (c.state !== 'sent' && c.state !== 'accepted' && c.state !== 'queued') return null;
  const acceptedAt = c.acceptedAt ?? now;
  if (result === 'jammed') return { ...c, state: 'failed', outcome: 'jammed', acceptedAt, completedAt: now };
  return { ...c, state: 'done', outcome: result, acceptedAt, completedAt: now };
}

export interface CommandTimeouts {
  /** How long a sent command may wait for an ack before it is sent again. */
  ackTimeoutMs: number;
  /** How long an accepted open may wait for the door sensor before it counts as not detected. */
  openOutcomeTimeoutMs: number;
  /** How long a controller may be away before it counts as offline (and an open it accepted is given up). */
  deviceOfflineAlarmMs: number;
}

export type TimeoutDecision =
  | { action: 'none' }
  | { action: 'resend' }
  | { action: 'end'; command: Command };

/**
 * The device's link at a sweep. A controller cut off from the gateway (its network, or the
 * gateway restarting) keeps the door outcome of an open it accepted and replays it right after
 * it reconnects (protocol §3.5), so the wait for that outcome counts from when it could have
 * been reported: never from before the device's current connection, and not at all while it
 * is away — the door may well have opened, and failing the open would free a compartment that
 * holds a parcel. Only a controller away for as long as it takes to count as offline has its
 * open given up (open_not_detected, next to its device_offline alarm).
 */
export interface DeviceLink {
  connected: boolean;
  /** Start of the current connection (or of this gateway process, whichever is later). */
  since: number;
}

/** What the sweeper does with a command at `now` (`link` unknown: the device counts as connected throughout). */
export function decideTimeout(c: Command, now: number, t: CommandTimeouts, link?: DeviceLink): TimeoutDecision {
  switch (c.state) {
    case 'queued':
      return now >= c.expiresAt
        ? { action: 'end', command: { ...c, state: 'expired', outcome: 'expired_undelivered', completedAt: now } }
        : { action: 'none' };
    case 'sent':
      if (now >= c.expiresAt) {
        return { action: 'end', command: { ...c, state: 'expired', outcome: 'expired_unacknowledged', completedAt: now } };
      }
      return c.sentAt !== null && now - c.sentAt >= t.ackTimeoutMs ? { action: 'resend' } : { action: 'none' };
    case 'accepted': {
      if (c.acceptedAt === null) return { action: 'none' };
      const from = !link ? c.acceptedAt
        : link.connected ? Math.max(c.acceptedAt, link.since)
        // Still away: wait for it, up to the offline horizon after the command's lifetime.
        : Math.max(c.acceptedAt, c.expiresAt) + t.deviceOfflineAlarmMs;
      return now - from >= t.openOutcomeTimeoutMs
        ? { action: 'end', command: { ...c, state: 'failed', outcome: 'open_not_detected', completedAt: now } }
        : { action: 'none' };
    }
    default:
      return { action: 'none' };
  }
}
