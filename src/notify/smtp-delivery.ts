import nodemailer, { type Transporter } from 'nodemailer';
import {
  enrollmentEmailText,
  enrollmentLink,
  type EnrollmentDelivery,
  type EnrollmentNotice,
} from './enrollment-delivery.js';

/**
 * Sends the enrollment link by email through the operator's SMTP server (HAVEN_SMTP_URL, e.g.
 * smtps://user:pass@mail.example:465, or smtp://…?requireTLS=true for STARTTLS). A failed send
 * throws: the approval is then reported as failed rather than silently losing the link.
 */
export class SmtpEnrollmentDelivery implements EnrollmentDelivery {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly baseUrl: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async deliver(n: EnrollmentNotice): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: n.email,
      subject: 'Your Haven account',
      text: enrollmentEmailText(enrollmentLink(this.baseUrl, n.token), n.expiresAt),
    });
  }
}
