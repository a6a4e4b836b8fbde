import { describe, expect, it } from 'vitest';
import { faultySessions, NO_FAULTS, type FaultKind, type FaultOptions } from '../../device-sim/run/faults.js';
import type { MqttSession, PublishOptions, SessionOptions } from '../../device-sim/session.js';

/** A session that records what reaches the wire and lets the test deliver commands. */
class WireSession implements MqttSession {
  closed = false;
  readonly wire: Array<{ topic: string; payload: string }> = [];
  private deliver: (topic: string, payload: Buffer) => void = () => undefined;
  async publish(topic: string, payload: string | Buffer, _opts: PublishOptions): Promise<void> {
    this.wire.push({ topic, payload: payload.toString() });
  }
  async subscribe(): Promise<number> { return 1; }
  async end(): Promise<void> {}
  async destroy(): Promise<void> {}
  onMessage(fn: (topic: string, payload: Buffer) => void): void { this.deliver = fn; }
  onClose(): void {}
  command(payload: object): void { this.deliver('lg/v1/lk-1/cmd', Buffer.from(JSON.stringify(payload))); }
}

const QOS1 = { qos: 1 as const, retain: false };
const always = () => 0; // random() = 0: every fault with p > 0 strikes

async function faulty(faults: Partial<FaultOptions>) {
  const wire = new WireSession();
  const recorded: FaultKind[] = [];
  const open = faultySessions(async () => wire, { ...NO_FAULTS, ...faults }, always, (kind) => recorded.push(kind));
  const session = await open({} as SessionOptions);
  return { wire, session, recorded };
}

describe('network fault injection', () => {
  it('duplicate: the same bytes go out twice', async () => {
    const { wire, session, recorded } = await faulty({ duplicate: 1 });
    await session.publish('lg/v1/lk-1/events', '{"seq":5}', QOS1);
    await new Promise((r) => setImmediate(r));
    expect(wire.wire.map((m) => m.payload)).toEqual(['{"seq":5}', '{"seq":5}']);
    expect(recorded).toEqual(['duplicate']);
  });

  it('lost ack: nothing reaches the wire, yet the firmware believes it sent it', async () => {
    const { wire, session, recorded } = await faulty({ loseAcks: 1 });
    await session.publish('lg/v1/lk-1/acks', '{"seq":3}', QOS1);
    await session.publish('lg/v1/lk-1/events', '{"seq":4}', QOS1);
    expect(wire.wire.map((m) => m.payload)).toEqual(['{"seq":4}']);
    expect(recorded).toEqual(['lost_ack']);
  });

  it('reorder: an event is overtaken by the next message', async () => {
    const { wire, session, recorded } = await faulty({ reorder: 1 });
    const first = session.publish('lg/v1/lk-1/events', '{"seq":7}', QOS1);
    await session.publish('lg/v1/lk-1/acks', '{"seq":8}', QOS1);
    await first;
    expect(wire.wire.map((m) => m.payload)).toEqual(['{"seq":8}', '{"seq":7}']);
    expect(recorded).toEqual(['reorder']);
  });

  it('stale command: an open reaches the firmware only after its expiresAt', async () => {
    const { wire, session, recorded } = await faulty({ staleCommands: 1 });
    const got: number[] = [];
    session.onMessage(() => got.push(Date.now()));
    const expiresAt = Date.now() + 80;
    wire.command({ id: 'cmd-stale-1', type: 'open', issuedAt: Date.now(), expiresAt, compartment: 1 });
    wire.command({ id: 'cmd-ping-1', type: 'ping', issuedAt: Date.now(), expiresAt });
    expect(got).toHaveLength(1); // the ping at once; the open is held back
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toHaveLength(2);
    expect(got[1]!).toBeGreaterThan(expiresAt);
    expect(recorded).toEqual(['stale_command']);
  });

  it('no faults configured: the session is used as it is', async () => {
    const wire = new WireSession();
    const open = faultySessions(async () => wire, NO_FAULTS, always, () => undefined);
    expect(await open({} as SessionOptions)).toBe(wire);
  });
});
