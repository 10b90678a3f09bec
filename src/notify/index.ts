// Notifications to people (enrollment links). Never PHI: see enrollment-delivery.ts.
export type { EnrollmentDelivery, EnrollmentNotice } from './enrollment-delivery.js';
export { enrollmentLink, enrollmentEmailText } from './enrollment-delivery.js';
export { SmtpEnrollmentDelivery } from './smtp-delivery.js';
export { TerminalEnrollmentDelivery } from './terminal-delivery.js';
