import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Secrets, pickup codes and phone numbers never reach a log line: these paths are censored
 * wherever they appear in a logged object (test/adapters/logging.test.ts proves it).
 */
export const REDACT_PATHS = [
  'secret',
  'password',
  'code',
  'token',
  'apiKey',
  'recipientPhone',
  'phone',
  '*.secret',
  '*.password',
  '*.code',
  '*.token',
  '*.apiKey',
  '*.recipientPhone',
  '*.phone',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'payload',
  '*.payload',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'lockergate' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
