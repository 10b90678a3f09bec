import nodemailer, { type Transporter } from 'nodemailer';

/** One message on its way out; text already checked by the PHI guard. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
}

export interface EmailSender {
  send(message: OutgoingEmail): Promise<void>;
}

/**
 * Email through the operator's SMTP server. Host, port, TLS and credentials all come from
 * HAVEN_SMTP_URL (src/config): `smtps://user:pass@mail.example:465` for implicit TLS, or
 * `smtp://user:pass@mail.example:587?requireTLS=true` for STARTTLS that must succeed.
 */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async send(m: OutgoingEmail): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text });
  }
}

/**
 * The SMS adapter interface: a deployment plugs in its provider (an HTTP API, an SMPP gateway)
 * by implementing `send`. `to` is an E.164 number from the person's account; `text` is one of
 * the fixed templates, already checked. An adapter must not log the text or the number, must
 * throw on a failed send, and must not retry on its own (the caller decides: reminders are sent
 * at most once). Haven ships no real provider; `RecordingSmsSender` is the test adapter.
 */
export interface SmsSender {
  send(to: string, text: string): Promise<void>;
}

/** The test adapter: keeps what it was asked to send, in memory. */
export class RecordingSmsSender implements SmsSender {
  readonly sent: { to: string; text: string }[] = [];

  send(to: string, text: string): Promise<void> {
    this.sent.push({ to, text });
    return Promise.resolve();
  }
}
