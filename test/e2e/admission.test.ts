import { afterEach, describe, expect, it } from 'vitest';
import { metric, provisionLocker, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ConnackError, connectDevice } from '../helpers/mqtt.js';
import { RawMqttSocket } from '../helpers/raw-socket.js';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

async function codeOf(p: Promise<{ end(force?: boolean): unknown }>): Promise<number> {
  try {
    const c = await p;
    c.end(true);
    return 0;
  } catch (e) {
    if (e instanceof ConnackError && e.code !== undefined) return e.code;
    throw e;
  }
}

describe('admission control', () => {
  it('answers CONNACK 3 once an IP has used its connection burst, and counts it', async () => {
    gw = await startTestGateway({ env: { LOCKERGATE_MQTT_CONNECT_RATE_PER_IP: '1', LOCKERGATE_MQTT_CONNECT_BURST_PER_IP: '3' } });
    const fx = await provisionLocker(gw);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push(await codeOf(connectDevice(gw.mqttUrl, fx.deviceId, fx.secret)));
    expect(codes).toEqual([0, 0, 0, 3]);
    expect(await metric(gw.metrics.connectionsRefused, { reason: 'ip_rate' })).toBe(1);
  });

  it('answers CONNACK 3 beyond the connection cap and admits again when a slot frees', async () => {
    gw = await startTestGateway({ env: { LOCKERGATE_MQTT_MAX_CONNECTIONS: '1' } });
    const one = await provisionLocker(gw);
    const two = await provisionLocker(gw);
    const first = await connectDevice(gw.mqttUrl, one.deviceId, one.secret);
    expect(await codeOf(connectDevice(gw.mqttUrl, two.deviceId, two.secret))).toBe(3);
    await first.endAsync();
    expect(await codeOf(connectDevice(gw.mqttUrl, two.deviceId, two.secret))).toBe(0);
  });

  it('closes a connection that sends no CONNECT within the connect timeout, and counts it', async () => {
    gw = await startTestGateway({ env: { LOCKERGATE_MQTT_CONNECT_TIMEOUT_S: '0.2' } });
    const silent = await RawMqttSocket.open(gw.mqttPort);
    await silent.waitClosed(5000);
    expect(silent.closed).toBe(true);
  });
});
