import nodemailer, { type Transporter } from 'nodemailer';
import type { NewMessageNotifier } from './notifications.js';

/** The one text a new-message email says: that there is something to see, and where to sign in. */
export function newMessageEmailText(link: string): string {
  return `You have a new secure message in Haven. Sign in to read it: ${link}\n`;
}

export const NEW_MESSAGE_SUBJECT = 'New secure message in Haven';

/**
 * The port over SMTP (HAVEN_SMTP_URL, nodemailer), until the notification module of issue 16
 * part 5 takes it over at merge. The text is fixed: only the recipient's address, looked up by
 * user id, varies. A failed send throws; MessageNotifications logs it by code.
 */
export class SmtpMessageNotifier implements NewMessageNotifier {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly baseUrl: string,
    private readonly addressOf: (userId: string) => Promise<string | undefined>,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async notifyNewMessage(recipientUserId: string): Promise<void> {
    const to = await this.addressOf(recipientUserId);
    if (to === undefined) return; // a disabled account is not written to
    await this.transport.sendMail({
      from: this.from,
      to,
      subject: NEW_MESSAGE_SUBJECT,
      text: newMessageEmailText(new URL('/messages', this.baseUrl).toString()),
    });
  }
}

/** Without SMTP: nothing is sent; the log says a notification was due, with the user id only. */
export class LogMessageNotifier implements NewMessageNotifier {
  constructor(private readonly log: (userId: string) => void) {}

  async notifyNewMessage(recipientUserId: string): Promise<void> {
    this.log(recipientUserId);
  }
}
