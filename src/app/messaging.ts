import type { HavenConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import {
  LogMessageNotifier,
  MessageNotifications,
  MessagingService,
  SmtpMessageNotifier,
  type NewMessageNotifier,
} from '../messaging/index.js';
import type { RecordDeps } from '../records/index.js';
import { MessageRepository, type Database } from '../store/index.js';
import type { People } from './people.js';

/**
 * Assembles secure messaging. Its new-message notifier is SMTP when HAVEN_SMTP_URL is set (the
 * notification module of issue 16 part 5 takes the port over at merge), else a log line with
 * the recipient's user id only.
 */
export function openMessaging(o: {
  config: HavenConfig;
  database: Database;
  records: RecordDeps;
  people: People;
  logger: Logger;
  publicBase: string;
}): MessagingService {
  const notifier: NewMessageNotifier = o.config.smtpUrl
    ? new SmtpMessageNotifier(o.config.smtpUrl, o.config.smtpFrom, o.publicBase, (id) =>
        o.people.users.notificationAddress(id),
      )
    : new LogMessageNotifier((userId) =>
        o.logger.info({ event: 'message-notification-due', userId }, 'a new message waits'),
      );
  return new MessagingService({
    records: o.records,
    messages: new MessageRepository(o.database.db),
    directory: { linkedAccounts: () => o.people.users.linkedAccounts() },
    notifications: new MessageNotifications(
      notifier,
      o.records.clock,
      o.config.messageNotifyDebounceMs,
      (code) =>
        o.logger.warn({ event: 'message-notification-failed', code }, 'a notification failed'),
    ),
  });
}
