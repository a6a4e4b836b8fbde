import { connect as netConnect, type Socket } from 'node:net';
import { generate, parser as mqttParser, type Packet } from 'mqtt-packet';

/** MQTT at the packet level over a real socket: for exact SUBACK codes and malformed input. */
export class RawMqttSocket {
  private readonly packets: Packet[] = [];
  private readonly waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    const p = mqttParser();
    p.on('packet', (pkt) => {
      this.packets.push(pkt);
      for (const w of this.waiters.splice(0)) w();
    });
    p.on('error', () => undefined);
    socket.on('data', (d) => p.parse(d));
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawMqttSocket> {
    const socket = netConnect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawMqttSocket(socket);
  }

  send(packet: Parameters<typeof generate>[0]): void {
    this.socket.write(generate(packet));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next packet of the given kind, or null if the connection closes first. */
  async next<C extends Packet['cmd']>(cmd: C, timeoutMs = 5000): Promise<Extract<Packet, { cmd: C }> | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.packets.findIndex((p) => p.cmd === cmd);
      if (i >= 0) return this.packets.splice(i, 1)[0] as Extract<Packet, { cmd: C }>;
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${cmd} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('socket still open')), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async connectAs(deviceId: string, secret: string, keepalive = 30): Promise<number> {
    this.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: deviceId, keepalive, username: deviceId, password: Buffer.from(secret) });
    const connack = await this.next('connack');
    return connack?.returnCode ?? -1;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
