import {
  enrollmentLink,
  type EnrollmentDelivery,
  type EnrollmentNotice,
} from './enrollment-delivery.js';

/**
 * Without SMTP, the link is printed on the server's terminal (stderr), for the operator to hand
 * to the person. Not through the logger: log files are shipped and kept, and a live enrollment
 * link must not be. Only the account id names whom it is for (`haven user list` resolves it).
 */
export class TerminalEnrollmentDelivery implements EnrollmentDelivery {
  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly baseUrl: string,
  ) {}

  deliver(n: EnrollmentNotice): Promise<void> {
    this.out.write(
      `haven: enrollment link for user ${n.userId} (give it to that person only; ` +
        `expires ${n.expiresAt}):\n${enrollmentLink(this.baseUrl, n.token)}\n`,
    );
    return Promise.resolve();
  }
}
