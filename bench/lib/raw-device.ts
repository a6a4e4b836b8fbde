import { connect, type Socket } from 'node:net';
import { generate, parser as mqttParser, type Packet } from 'mqtt-packet';

/**
 * A locker controller reduced to what a command round trip needs, over one raw socket with
 * mqtt-packet (no mqtt.js per device: the load generator must not be the bottleneck).
 * It speaks protocol v1 for the gateway (hello with boot id, sequenced acks) and works the
 * same against Mosquitto, so both brokers see identical traffic.
 */
export class RawDevice {
  private socket!: Socket;
  private seq = 0;
  private nextMessageId = 1;
  private readonly bootId = `bench${Math.floor(Math.random() * 1e9).toString(36)}`;
  private waiting = new Map<string, () => void>();
  acks = 0;

  constructor(
    private readonly opts: { host: string; port: number; localAddress?: string | undefined; id: string; secret: string; protocolHello: boolean },
  ) {}

  async connect(): Promise<void> {
    this.socket = connect({ host: this.opts.host, port: this.opts.port, localAddress: this.opts.localAddress });
    this.socket.setNoDelay(true);
    const p = mqttParser();
    p.on('packet', (pkt: Packet) => this.onPacket(pkt));
    this.socket.on('data', (d) => p.parse(d));
    this.socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    const connack = this.expect('connack');
    this.write({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: this.opts.id, keepalive: 60, username: this.opts.id, password: Buffer.from(this.opts.secret) });
    await connack;
    const suback = this.expect('suback');
    this.write({ cmd: 'subscribe', messageId: this.mid(), subscriptions: [{ topic: `lg/v1/${this.opts.id}/cmd`, qos: 1 }] });
    await suback;
    if (this.opts.protocolHello) {
      await this.publish('status', { state: 'online', model: 'bench', firmware: '1.0.0', protocol: '1.0', compartments: 4 }, true);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private mid(): number {
    this.nextMessageId = (this.nextMessageId % 65535) + 1;
    return this.nextMessageId;
  }

  private write(packet: Parameters<typeof generate>[0]): void {
    this.socket.write(generate(packet));
  }

  private expect(cmd: string): Promise<void> {
    return new Promise((resolve) => this.waiting.set(cmd, resolve));
  }

  private publish(channel: string, body: Record<string, unknown>, retain = false): Promise<void> {
    this.seq++;
    const payload = JSON.stringify({ bootId: this.bootId, seq: this.seq, ts: Date.now(), ...body });
    const done = this.expect('puback');
    this.write({ cmd: 'publish', topic: `lg/v1/${this.opts.id}/${channel}`, payload, qos: 1, retain, dup: false, messageId: this.mid() });
    return done;
  }

  private onPacket(pkt: Packet): void {
    if (pkt.cmd === 'publish') {
      if (pkt.qos === 1 && pkt.messageId !== undefined) this.write({ cmd: 'puback', messageId: pkt.messageId });
      const command = JSON.parse(pkt.payload.toString()) as { id: string };
      this.acks++;
      // Acks are fire-and-forget here; their PUBACK is awaited by nobody, like firmware pipelining.
      this.seq++;
      const payload = JSON.stringify({ bootId: this.bootId, seq: this.seq, ts: Date.now(), commandId: command.id, status: 'accepted' });
      this.write({ cmd: 'publish', topic: `lg/v1/${this.opts.id}/acks`, payload, qos: 1, retain: false, dup: false, messageId: this.mid() });
      return;
    }
    const w = this.waiting.get(pkt.cmd);
    if (w) {
      this.waiting.delete(pkt.cmd);
      w();
    }
  }
}
