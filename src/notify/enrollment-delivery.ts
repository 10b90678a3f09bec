/**
 * Where an enrollment link goes when an admin may not see it (issue 13, item 4): to the person
 * by email when SMTP is configured, else to the server's terminal (stderr) for the operator at
 * the console. Never into the HTTP response, never into the log file.
 */
export interface EnrollmentNotice {
  userId: string;
  email: string;
  token: string;
  expiresAt: string;
}

export interface EnrollmentDelivery {
  deliver(notice: EnrollmentNotice): Promise<void>;
}

/** The link a person opens to set their first password; the token stays in the fragment. */
export function enrollmentLink(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/enroll#${token}`;
}

/**
 * The whole email: that an account exists and where to set the password. No name, no role, no
 * patient or practitioner link (SPEC safeguard 10: notifications say only that something waits).
 */
export function enrollmentEmailText(link: string, expiresAt: string): string {
  return [
    'An account has been created for you on Haven.',
    '',
    `Set your password here (the link works once and expires ${expiresAt}):`,
    link,
    '',
    'If you did not expect this message, ignore it.',
  ].join('\n');
}
