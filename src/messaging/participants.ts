import type { MessagingDeps } from './context.js';

const CLINICIAN_ROLES = new Set(['physician', 'nurse']);

/** The people of a patient's threads: the patient's accounts and their care team's clinicians. */
export interface ThreadPeople {
  /** userId → the FHIR reference that user speaks as (Patient/… or Practitioner/…). */
  members: Map<string, string>;
}

/**
 * Who takes part in a patient's threads right now: accounts linked to the patient, and clinicians
 * whose Practitioner is on the patient's care team or has an appointment with them. A clinician
 * reading under break-glass may read and answer but is not a member: they are not notified.
 */
export async function threadPeople(deps: MessagingDeps, patient: string): Promise<ThreadPeople> {
  const accounts = await deps.directory.linkedAccounts();
  const now = deps.records.clock().toISOString();
  const members = new Map<string, string>();
  const patientId = patient.slice('Patient/'.length);
  for (const a of accounts) {
    if (a.patientId === patientId && a.roles.includes('patient')) members.set(a.id, patient);
  }
  const clinicians = accounts.filter(
    (a) => a.practitionerId !== null && a.roles.some((r) => CLINICIAN_ROLES.has(r)),
  );
  const facts = await Promise.all(
    clinicians.map((a) =>
      deps.records.relations.factsForPatient(
        `Practitioner/${a.practitionerId}`,
        patient,
        a.id,
        now,
      ),
    ),
  );
  clinicians.forEach((a, i) => {
    if (facts[i]!.care) members.set(a.id, `Practitioner/${a.practitionerId}`);
  });
  return { members };
}
