import { describe, expect, it } from 'vitest';
import {
  applyAck,
  applyOpenResult,
  decideTimeout,
  isTerminal,
  markSent,
  type Command,
  type CommandState,
} from '../../src/domain/command.js';

const T0 = 1_800_000_000_000;
const TIMEOUTS = { ackTimeoutMs: 10_000, openOutcomeTimeoutMs: 15_000, deviceOfflineAlarmMs: 600_000 };

function command(overrides: Partial<Command> = {}): Command {
  return {
    id: 'cmd-000001',
    deviceId: 'dev-1',
    lockerId: 'lkr-1',
    type: 'open',
    params: { compartment: 3 },
    state: 'queued',
    outcome: null,
    createdAt: T0,
    expiresAt: T0 + 60_000,
    sentAt: null,
    acceptedAt: null,
    completedAt: null,
    attempts: 0,
    actor: 'operator:tok-1',
    ...overrides,
  };
}

const sent = (overrides: Partial<Command> = {}) => command({ state: 'sent', sentAt: T0, attempts: 1, ...overrides });
const accepted = (overrides: Partial<Command> = {}) => sent({ state: 'accepted', acceptedAt: T0 + 100, ...overrides });
const TERMINALS: CommandState[] = ['done', 'failed', 'expired'];

describe('markSent', () => {
  it('moves a queued command to sent, stamping the time and counting the attempt', () => {
    expect(markSent(command(), T0 + 5)).toMatchObject({ state: 'sent', sentAt: T0 + 5, attempts: 1 });
  });

  it('counts a resend of a sent command as another attempt', () => {
    expect(markSent(sent(), T0 + 10_000)).toMatchObject({ state: 'sent', sentAt: T0 + 10_000, attempts: 2 });
  });

  it.each<CommandState>(['accepted', ...TERMINALS])('refuses a %s command', (state) => {
    expect(markSent(command({ state }), T0)).toBeNull();
  });

  it('does not modify its input', () => {
    const c = command();
    markSent(c, T0);
    expect(c.state).toBe('queued');
  });
});

describe('applyAck', () => {
  it('accepted open → accepted (it still waits for the door), not done', () => {
    const next = applyAck(sent(), { status: 'accepted' }, T0 + 200);
    expect(next).toMatchObject({ state: 'accepted', acceptedAt: T0 + 200, completedAt: null, outcome: null });
  });

  it('accepted keypad_reply open → accepted', () => {
    const c = sent({ type: 'keypad_reply', params: { requestId: 'req-123456', result: 'open', compartment: 2 } });
    expect(applyAck(c, { status: 'accepted' }, T0 + 1)?.state).toBe('accepted');
  });

  it.each([
    ['ping', {}],
    ['reboot', {}],
    ['keypad_reply', { requestId: 'req-123456', result: 'deny', reason: 'unavailable' }],
  ] as const)('accepted %s → done/acknowledged', (type, params) => {
    const next = applyAck(sent({ type, params: { ...params } }), { status: 'accepted' }, T0 + 300);
    expect(next).toMatchObject({ state: 'done', outcome: 'acknowledged', acceptedAt: T0 + 300, completedAt: T0 + 300 });
  });

  it('rejected/expired → expired with outcome rejected_expired', () => {
    expect(applyAck(sent(), { status: 'rejected', reason: 'expired' }, T0 + 400)).toMatchObject({
      state: 'expired',
      outcome: 'rejected_expired',
      completedAt: T0 + 400,
    });
  });

  it.each(['unknown_compartment', 'busy', 'unsupported', 'invalid'])('rejected/%s → failed with outcome rejected_%s', (reason) => {
    expect(applyAck(sent(), { status: 'rejected', reason }, T0 + 400)).toMatchObject({
      state: 'failed',
      outcome: `rejected_${reason}`,
      completedAt: T0 + 400,
    });
  });

  it.each<CommandState>(['accepted', ...TERMINALS])('ignores an ack for a %s command (returns null)', (state) => {
    expect(applyAck(command({ state }), { status: 'accepted' }, T0)).toBeNull();
    expect(applyAck(command({ state }), { status: 'rejected', reason: 'busy' }, T0)).toBeNull();
  });
});

describe('applyOpenResult', () => {
  it('opened → done/opened', () => {
    expect(applyOpenResult(accepted(), 'opened', T0 + 2_000)).toMatchObject({
      state: 'done',
      outcome: 'opened',
      acceptedAt: T0 + 100,
      completedAt: T0 + 2_000,
    });
  });

  it('already_open → done/already_open', () => {
    expect(applyOpenResult(accepted(), 'already_open', T0 + 2_000)).toMatchObject({ state: 'done', outcome: 'already_open' });
  });

  it('jammed → failed/jammed', () => {
    expect(applyOpenResult(accepted(), 'jammed', T0 + 5_000)).toMatchObject({
      state: 'failed',
      outcome: 'jammed',
      completedAt: T0 + 5_000,
    });
  });

  it('accepts a result that overtook its ack, stamping acceptedAt', () => {
    expect(applyOpenResult(sent(), 'opened', T0 + 900)).toMatchObject({ state: 'done', outcome: 'opened', acceptedAt: T0 + 900 });
  });

  it.each(TERMINALS)('ignores a result for a %s command (returns null)', (state) => {
    expect(applyOpenResult(command({ state, outcome: 'opened' }), 'jammed', T0)).toBeNull();
  });
});

describe('decideTimeout', () => {
  it('leaves a queued command alone until it expires, then ends it as expired_undelivered', () => {
    const c = command();
    expect(decideTimeout(c, c.expiresAt - 1, TIMEOUTS)).toEqual({ action: 'none' });
    // Expired at expiresAt itself (protocol §6.3: expiresAt <= now).
    expect(decideTimeout(c, c.expiresAt, TIMEOUTS)).toMatchObject({ action: 'end', command: { state: 'expired' } });
    expect(decideTimeout(c, c.expiresAt + 1, TIMEOUTS)).toEqual({
      action: 'end',
      command: { ...c, state: 'expired', outcome: 'expired_undelivered', completedAt: c.expiresAt + 1 },
    });
  });

  it('resends a sent command once the ack timeout has passed', () => {
    const c = sent();
    expect(decideTimeout(c, T0 + TIMEOUTS.ackTimeoutMs - 1, TIMEOUTS)).toEqual({ action: 'none' });
    expect(decideTimeout(c, T0 + TIMEOUTS.ackTimeoutMs, TIMEOUTS)).toEqual({ action: 'resend' });
  });

  it('ends a sent command past its expiry as expired_unacknowledged instead of resending', () => {
    const c = sent({ sentAt: T0 + 55_000 });
    const decision = decideTimeout(c, c.expiresAt + 1, TIMEOUTS);
    expect(decision).toEqual({
      action: 'end',
      command: { ...c, state: 'expired', outcome: 'expired_unacknowledged', completedAt: c.expiresAt + 1 },
    });
  });

  it('fails an accepted open with no result after openOutcomeTimeoutMs as open_not_detected', () => {
    const c = accepted();
    const at = c.acceptedAt! + TIMEOUTS.openOutcomeTimeoutMs;
    expect(decideTimeout(c, at - 1, TIMEOUTS)).toEqual({ action: 'none' });
    expect(decideTimeout(c, at, TIMEOUTS)).toEqual({
      action: 'end',
      command: { ...c, state: 'failed', outcome: 'open_not_detected', completedAt: at },
    });
  });

  it('counts an accepted open\'s outcome window from the controller\'s current connection, not from before it', () => {
    const c = accepted();
    const since = c.acceptedAt! + 60_000; // the controller reconnected a minute later, with the outcome queued
    const link = { connected: true, since };
    expect(decideTimeout(c, since + TIMEOUTS.openOutcomeTimeoutMs - 1, TIMEOUTS, link)).toEqual({ action: 'none' });
    expect(decideTimeout(c, since + TIMEOUTS.openOutcomeTimeoutMs, TIMEOUTS, link)).toMatchObject({ action: 'end', command: { outcome: 'open_not_detected' } });
  });

  it('waits for a controller that is away after accepting an open (the door may have opened), until it counts as offline', () => {
    const c = accepted();
    const away = { connected: false, since: c.acceptedAt! };
    // Long past the command's lifetime and the outcome window: still waiting while it is away.
    expect(decideTimeout(c, c.expiresAt + TIMEOUTS.openOutcomeTimeoutMs + 60_000, TIMEOUTS, away)).toEqual({ action: 'none' });
    const giveUp = c.expiresAt + TIMEOUTS.deviceOfflineAlarmMs + TIMEOUTS.openOutcomeTimeoutMs;
    expect(decideTimeout(c, giveUp - 1, TIMEOUTS, away)).toEqual({ action: 'none' });
    expect(decideTimeout(c, giveUp, TIMEOUTS, away)).toEqual({ action: 'end', command: { ...c, state: 'failed', outcome: 'open_not_detected', completedAt: giveUp } });
  });

  it.each(TERMINALS)('never touches a %s command', (state) => {
    expect(decideTimeout(command({ state }), T0 + 10 * 60_000, TIMEOUTS)).toEqual({ action: 'none' });
  });
});

describe('isTerminal', () => {
  it('is true exactly for done, failed and expired', () => {
    const states: CommandState[] = ['queued', 'sent', 'accepted', 'done', 'failed', 'expired'];
    expect(states.filter((state) => isTerminal(command({ state })))).toEqual(TERMINALS);
  });
});
