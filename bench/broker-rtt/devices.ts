import { RawDevice } from '../lib/raw-device.js';

/**
 * Child process: connects the bench's devices and answers every command with an ack.
 * Messages: { start: { host, port, devices, protocolHello } } then { report: true }.
 */
interface Start {
  host: string;
  port: number;
  devices: Array<{ id: string; secret: string }>;
  protocolHello: boolean;
}

let devices: RawDevice[] = [];
let cpu0 = process.cpuUsage();

process.on('message', async (msg: { start?: Start; report?: boolean }) => {
  if (msg.start) {
    const s = msg.start;
    devices = s.devices.map((d, i) => new RawDevice({ host: s.host, port: s.port, localAddress: `127.0.0.${2 + (i % 8)}`, id: d.id, secret: d.secret, protocolHello: s.protocolHello }));
    for (let i = 0; i < devices.length; i += 50) await Promise.all(devices.slice(i, i + 50).map((d) => d.connect()));
    cpu0 = process.cpuUsage();
    process.send?.({ ready: true });
  } else if (msg.report) {
    const cpu = process.cpuUsage(cpu0);
    process.send?.({ acks: devices.reduce((n, d) => n + d.acks, 0), cpuMs: (cpu.user + cpu.system) / 1000 });
    for (const d of devices) d.close();
    setImmediate(() => process.exit(0));
  }
});
