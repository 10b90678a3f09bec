import {
  recordTermsOf,
  type Contact,
  type NotificationTemplate,
  type Notifier,
} from '../../notify/index.js';

export interface NoticeDeps {
  notifier?: Notifier;
  /** The accounts linked to a patient (usually one): who is told about their appointments. */
  contactsOfPatient: (patientId: string) => Promise<Contact[]>;
  /** Logs a failed notice by code only (never the address or the text). */
  onNoticeError?: (code: string) => void;
}

/**
 * Tells the patient's linked accounts that something changed, after the change committed. The
 * notice is fixed text; the record's own values (the appointment, the patient as the caller saw
 * them) are handed to the PHI check so none of them can slip in. A failed notice does not undo
 * the booking: it is logged by code and the answer says the patient was not notified.
 */
export async function tellPatient(
  d: NoticeDeps,
  template: NotificationTemplate,
  patientId: string | null,
  appointmentId: string,
  records: readonly unknown[],
): Promise<boolean> {
  if (!d.notifier || patientId === null) return false;
  const recordTerms = records.flatMap(recordTermsOf);
  let all = true;
  for (const to of await d.contactsOfPatient(patientId)) {
    try {
      await d.notifier.notify({
        template,
        to,
        recordTerms,
        patientId,
        resource: { type: 'Appointment', id: appointmentId },
      });
    } catch (e) {
      all = false;
      d.onNoticeError?.(
        typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'error',
      );
    }
  }
  return all;
}
