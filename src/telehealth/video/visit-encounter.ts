import type { RequestContext } from '../../auth/index.js';
import { createRecord, readRecord, updateRecord, type RecordDeps } from '../../records/index.js';

const VIRTUAL = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  code: 'VR',
  display: 'virtual',
};

/**
 * The visit's Encounter (shared contract: class VR, the Appointment, period from admission to
 * hang-up): created in progress at admission, so a note written during the visit can name it
 * in its context, and finished at hang-up.
 */
export async function startVisitEncounter(
  records: RecordDeps,
  ctx: RequestContext,
  v: { appointmentId: string; patientId: string; practitionerIds: string[]; start: Date },
): Promise<string> {
  const created = await createRecord(records, ctx, 'Encounter', {
    resourceType: 'Encounter',
    status: 'in-progress',
    class: VIRTUAL,
    subject: { reference: `Patient/${v.patientId}` },
    participant: v.practitionerIds.map((id) => ({
      individual: { reference: `Practitioner/${id}` },
    })),
    appointment: [{ reference: `Appointment/${v.appointmentId}` }],
    period: { start: v.start.toISOString() },
  });
  return created.id;
}

export async function finishVisitEncounter(
  records: RecordDeps,
  ctx: RequestContext,
  encounterId: string,
  end: Date,
): Promise<void> {
  const current = await readRecord(records, ctx, 'Encounter', encounterId);
  const json = JSON.parse(current.json.toString('utf8')) as {
    period?: { start?: string };
    [k: string]: unknown;
  };
  await updateRecord(
    records,
    ctx,
    'Encounter',
    encounterId,
    { ...json, status: 'finished', period: { ...json.period, end: end.toISOString() } },
    current.version,
  );
}
