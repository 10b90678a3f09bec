// Notifications to people: enrollment links, and the fixed PHI-free notices about care (ADR 0026).
export type { EnrollmentDelivery, EnrollmentNotice } from './enrollment-delivery.js';
export { enrollmentLink, enrollmentEmailText } from './enrollment-delivery.js';
export { SmtpEnrollmentDelivery } from './smtp-delivery.js';
export { TerminalEnrollmentDelivery } from './terminal-delivery.js';
export {
  NOTIFICATION_TEMPLATES,
  TEMPLATE_NAMES,
  renderNotice,
  type NotificationTemplate,
  type RenderedNotice,
} from './templates.js';
export { checkNotice, recordTermsOf, PhiInNotificationError } from './phi-guard.js';
export {
  SmtpEmailSender,
  RecordingSmsSender,
  type EmailSender,
  type OutgoingEmail,
  type SmsSender,
} from './channels.js';
export { Notifier, type Contact, type NoticeRequest, type NotifierOptions } from './notifier.js';
