import type { HavenConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import {
  LogMessageNotifier,
  MessageNotifications,
  MessagingService,
  type NewMessageNotifier,
} from '../messaging/index.js';
import type { RecordDeps } from '../records/index.js';
import { MessageRepository, type Database } from '../store/index.js';
import type { People } from './people.js';

/**
 * Assembles secure messaging. New-message emails go through the notification module's fixed
 * `new-message` template (src/notify, ADR 0026), the same path and PHI check as appointment
 * notices; without one (tests of messaging alone), a log line with the recipient's user id only.
 */
export function openMessaging(o: {
  config: HavenConfig;
  database: Database;
  records: RecordDeps;
  people: People;
  logger: Logger;
  publicBase: string;
  notifier?: NewMessageNotifier;
}): MessagingService {
  const notifier: NewMessageNotifier =
    o.notifier ??
    new LogMessageNotifier((userId) =>
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
