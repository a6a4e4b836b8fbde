import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

interface Pair {
  down: Socket;
  up: Socket;
  /** Bytes held while frozen, in the direction they were going. */
  toUp: Buffer[];
  toDown: Buffer[];
}

/**
 * A TCP relay on 127.0.0.1, port 0, in front of the gateway's MQTT listener. A simulated
 * controller connects here, so it keeps one address while the gateway behind it is restarted
 * (on a new port 0). `freeze()` holds the bytes both ways with the connection still up: a
 * command can be caught in flight, as on a stalled mobile link. When either side closes, the
 * other is closed too and held bytes are dropped, like a real network path going away.
 */
export class TcpRelay {
  private readonly pairs = new Set<Pair>();
  private frozen = false;

  private constructor(private readonly server: Server, private target: number) {}

  static async start(targetPort: number): Promise<TcpRelay> {
    let relay: TcpRelay | undefined;
    const server = createServer((down) => relay!.accept(down));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay = new TcpRelay(server, targetPort);
    return relay;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** New connections go to this port (the restarted gateway's). */
  retarget(port: number): void {
    this.target = port;
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const p of this.pairs) {
      for (const b of p.toUp.splice(0)) p.up.write(b);
      for (const b of p.toDown.splice(0)) p.down.write(b);
    }
  }

  async close(): Promise<void> {
    for (const p of this.pairs) (p.down.destroy(), p.up.destroy());
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(down: Socket): void {
    const up = connect(this.target, '127.0.0.1');
    const pair: Pair = { down, up, toUp: [], toDown: [] };
    this.pairs.add(pair);
    down.on('data', (d: Buffer) => (this.frozen ? pair.toUp.push(d) : up.write(d)));
    up.on('data', (d: Buffer) => (this.frozen ? pair.toDown.push(d) : down.write(d)));
    const end = () => {
      this.pairs.delete(pair);
      down.destroy();
      up.destroy();
    };
    for (const s of [down, up]) {
      s.on('close', end);
      s.on('error', end);
    }
  }
}
