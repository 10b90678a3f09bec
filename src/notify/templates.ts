/**
 * The only texts Haven sends about care (SPEC safeguard 10, ADR 0026): each says that there is
 * something to see and where to sign in, nothing else. No name, time, clinician, reason or
 * record id appears, because email and SMS pass through providers and lock screens Haven does not
 * control. The sign-in link is the public base URL plus a fixed path, never a record id.
 */
export const NOTIFICATION_TEMPLATES = {
  'appointment-booked': {
    subject: 'You have a new appointment',
    text: 'You have a new appointment with your care team. Sign in to Haven to see it:',
    path: '/',
  },
  'appointment-changed': {
    subject: 'An appointment has changed',
    text: 'One of your appointments has changed. Sign in to Haven to see it:',
    path: '/',
  },
  'appointment-reminder': {
    subject: 'Appointment reminder',
    text: 'You have an upcoming appointment. Sign in to Haven to see it:',
    path: '/',
  },
  'new-message': {
    subject: 'You have a new message',
    text: 'You have a new secure message in Haven. Sign in to read it:',
    path: '/messages',
  },
} as const;

export type NotificationTemplate = keyof typeof NOTIFICATION_TEMPLATES;

export const TEMPLATE_NAMES = Object.keys(NOTIFICATION_TEMPLATES) as NotificationTemplate[];

/** A rendered notice: the subject (email only) and the text, link included. */
export interface RenderedNotice {
  template: NotificationTemplate;
  subject: string;
  text: string;
}

export const FOOTER = 'This message contains no details on purpose.';

export function signInLink(baseUrl: string, template: NotificationTemplate): string {
  return `${baseUrl.replace(/\/+$/, '')}${NOTIFICATION_TEMPLATES[template].path}`;
}

export function renderNotice(template: NotificationTemplate, baseUrl: string): RenderedNotice {
  const t = NOTIFICATION_TEMPLATES[template];
  return {
    template,
    subject: t.subject,
    text: `${t.text}\n${signInLink(baseUrl, template)}\n\n${FOOTER}`,
  };
}
