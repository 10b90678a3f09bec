import type { NewMessageNotifier } from './notifications.js';

/**
 * Without the notification module (messaging assembled alone): nothing is sent; the log says a
 * notification was due, with the user id only. The server wires src/notify's `new-message`
 * notice instead (src/app/messaging.ts).
 */
export class LogMessageNotifier implements NewMessageNotifier {
  constructor(private readonly log: (userId: string) => void) {}

  async notifyNewMessage(recipientUserId: string): Promise<void> {
    this.log(recipientUserId);
  }
}
