import { connect as netConnect, type Socket } from 'node:net';
import { parser as mqttParser, type Packet } from 'mqtt-packet';

export type WaitResult = Packet | 'closed' | 'timeout';

/**
 * One fuzzing TCP connection: writes raw bytes, parses what the gateway answers (the gateway's
 * side is always well-formed) and waits for a packet or the close, each with a timeout.
 */
export class FuzzConnection {
  private readonly received: Packet[] = [];
  private readonly waiters = new Set<() => void>();
  private closedFlag = false;
  readonly closed: Promise<void>;
  /** When the TCP connection was established: the broker's connect timeout runs from about then. */
  readonly openedAt = Date.now();

  private constructor(readonly socket: Socket) {
    const parser = mqttParser();
    parser.on('packet', (p: Packet) => {
      this.received.push(p);
      this.wake();
    });
    parser.on('error', () => undefined);
    socket.on('data', (d: Buffer) => parser.parse(d));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedFlag = true;
        this.wake();
        resolve();
      }),
    );
  }

  static open(port: number, localAddress: string): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ port, host: '127.0.0.1', localAddress });
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new FuzzConnection(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Writes unless closed; resolves when the socket took the bytes (backpressure honoured). */
  async write(bytes: Buffer): Promise<void> {
    if (this.closedFlag || this.socket.destroyed) return;
    if (!this.socket.write(bytes)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.once('drain', done);
        this.socket.once('close', done);
      });
    }
  }

  /** The first received packet matching `match` (taken out of the buffer), the close, or a timeout. */
  async waitFor(match: (p: Packet) => boolean, timeoutMs: number): Promise<WaitResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex(match);
      if (i >= 0) return this.received.splice(i, 1)[0]!;
      if (this.closedFlag) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** Resolves true when the gateway closed the connection within `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    if (this.closedFlag) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([this.closed.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return result;
  }

  /** Drops packets we no longer care about (e.g. PUBRECs of a flood), keeping memory flat. */
  discard(match: (p: Packet) => boolean): number {
    let n = 0;
    for (let i = this.received.length - 1; i >= 0; i--) {
      if (match(this.received[i]!)) {
        this.received.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  /** Half-close after the data: the gateway still reads everything we sent. */
  async end(): Promise<void> {
    this.socket.end();
    await this.waitClosed(2000);
    this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
