import type { Config } from './config.js';
import { startGateway } from './gateway.js';
import { createLogger } from './logger.js';

/** Runs the gateway until SIGINT/SIGTERM, then closes listeners, broker and store in order. */
export async function serve(config: Config): Promise<void> {
  const log = createLogger(config.LOCKERGATE_LOG_LEVEL);
  const gateway = await startGateway({ config, log });
  log.info(
    { http: `http://${config.LOCKERGATE_HTTP_HOST}:${gateway.httpPort}`, mqtt: `mqtt://${config.LOCKERGATE_MQTT_HOST}:${gateway.mqttPort}`, dataDir: config.LOCKERGATE_DATA_DIR },
    'lockergate is running (API docs at /docs, MQTT over WebSocket at /mqtt)',
  );
  await new Promise<void>((resolve) => {
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      gateway.close().then(resolve, (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}
