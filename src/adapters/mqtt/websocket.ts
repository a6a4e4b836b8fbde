import type { Server as HttpServer } from 'node:http';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { MqttGateway } from './broker.js';

/** MQTT over WebSocket at `/mqtt` on the HTTP server, for controllers behind HTTP-only networks. */
export function attachMqttWebSocket(server: HttpServer, broker: MqttGateway, maxPacketBytes: number): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxPacketBytes, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] !== '/mqtt') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => ws.terminate());
      broker.handle(stream, req.socket.remoteAddress ?? 'unknown');
    });
  });
  return wss;
}
