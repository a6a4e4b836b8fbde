import type { Logger } from 'pino';
import type { NotificationLog } from '../../app/notification-ports.js';

/**
 * The log channel for recipient messages (demo/dev, no SMS provider configured). The entry the
 * dispatcher hands over already has a masked phone and no code; pino redaction is a second net.
 */
export function pinoNotificationLog(log: Logger): NotificationLog {
  const channel = log.child({ component: 'notifications' });
  return {
    recipient(entry) {
      channel.info({ notification: entry }, 'recipient message (log channel, not sent)');
    },
  };
}
