import type { Duplex } from 'node:stream';

/**
 * Aedes 1.x buffers a packet of any announced size before parsing it, so a client could make the
 * broker hold up to 256 MB per connection. This guard follows the MQTT framing (fixed header
 * byte, 1–4 byte remaining length, body) over the raw bytes and reports the first packet that is
 * larger than the limit or has a malformed length, before its body is buffered.
 * It keeps three numbers per connection and never copies data (docs/adr/0003).
 */
export class PacketSizeGuard {
  private state: 0 | 1 | 2 = 0; // 0: expecting the fixed-header byte, 1: length bytes, 2: body
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** Returns an error message when the stream must be closed, otherwise null. */
  feed(chunk: Buffer): string | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 2) {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.state = 0;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === 0) {
        this.state = 1;
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.lengthBytes++;
      if (byte & 0x80) {
        this.multiplier *= 128;
        if (this.multiplier > 128 ** 3) return 'malformed remaining length';
        continue;
      }
      // The whole packet: 1 header byte, the length bytes, the body.
      if (1 + this.lengthBytes + this.length > this.maxPacketBytes) return `packet of ${this.length} bytes exceeds ${this.maxPacketBytes}`;
      this.remaining = this.length;
      this.state = this.remaining === 0 ? 0 : 2;
    }
    return null;
  }
}

const GUARD = Symbol('packetSizeGuard');

/** A connection's guard, the stream's own `read` and what to do on a violation: one object per connection. */
class ConnectionGuard extends PacketSizeGuard {
  constructor(
    maxPacketBytes: number,
    readonly read: Duplex['read'],
    readonly onViolation: (reason: string, conn: Duplex) => void,
  ) {
    super(maxPacketBytes);
  }
}

type GuardedStream = Duplex & { [GUARD]: ConnectionGuard };

/** The `read` every guarded stream shares: the stream's own, then the guard over what it returned. */
function guardedRead(this: GuardedStream, size?: number): unknown {
  const guard = this[GUARD];
  const chunk = guard.read.call(this, size) as unknown;
  if (chunk !== null && Buffer.isBuffer(chunk)) {
    const problem = guard.feed(chunk);
    if (problem !== null) {
      guard.onViolation(problem, this);
      this.destroy();
      return null;
    }
  }
  return chunk;
}

/**
 * Aedes pulls bytes with `conn.read()` on 'readable'; replacing that one method on the instance
 * sees every byte exactly once without an extra stream per connection. The replacement is one
 * shared function and the per-connection state one object (no closure or bound function per
 * connection: issue 6's memory budget), so `onViolation` should be shared too.
 */
export function guardPacketSize(conn: Duplex, maxPacketBytes: number, onViolation: (reason: string, conn: Duplex) => void): void {
  (conn as GuardedStream)[GUARD] = new ConnectionGuard(maxPacketBytes, conn.read, onViolation);
  conn.read = guardedRead as Duplex['read'];
}
