/**
 * The FHIR resources a visit recording leaves in the patient's record (ADR 0034): a Consent per
 * side, a Binary holding the WebM, and a DocumentReference describing it. Fixed codes only; no
 * free text from either party.
 */

/** Haven's own code for "recording of a video visit", in Consent.category and DocumentReference.type. */
export const RECORDING_CODING = {
  system: 'urn:haven:fhir:visit-recording',
  code: 'visit-recording',
  display: 'Video visit recording',
};

/** Shown to the patient once stored (the patient took part and consented). */
const RELEASED = { system: 'urn:haven:fhir:patient-release', code: 'released' };

export interface ConsentFacts {
  patientId: string;
  appointmentId: string;
  encounterId: string | undefined;
  /** Patient/<id> or Practitioner/<id>: who consented. */
  performer: string;
  at: string;
}

export function consentBody(c: ConsentFacts): Record<string, unknown> {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/consentscope',
          code: 'patient-privacy',
          display: 'Privacy Consent',
        },
      ],
    },
    category: [
      { coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] },
      { coding: [RECORDING_CODING] },
    ],
    patient: { reference: `Patient/${c.patientId}` },
    dateTime: c.at,
    performer: [{ reference: c.performer }],
    policyRule: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }],
    },
    provision: {
      type: 'permit',
      period: { start: c.at },
      action: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'collect' },
          ],
        },
      ],
      data: [
        { meaning: 'related', reference: { reference: `Appointment/${c.appointmentId}` } },
        ...(c.encounterId !== undefined
          ? [{ meaning: 'related', reference: { reference: `Encounter/${c.encounterId}` } }]
          : []),
      ],
    },
  };
}

/** The same Consent, withdrawn: inactive, its provision ending now. */
export function withdrawnConsent(
  current: Record<string, unknown>,
  at: string,
): Record<string, unknown> {
  const provision = (current.provision ?? {}) as Record<string, unknown>;
  const period = (provision.period ?? {}) as Record<string, unknown>;
  const { meta: _m, ...rest } = current;
  return {
    ...rest,
    status: 'inactive',
    provision: { ...provision, period: { ...period, end: at } },
  };
}

export function recordingBinary(patientId: string, data: Buffer): Record<string, unknown> {
  return {
    resourceType: 'Binary',
    meta: { tag: [RELEASED] },
    contentType: 'video/webm',
    securityContext: { reference: `Patient/${patientId}` },
    data: data.toString('base64'),
  };
}

export function recordingDocument(r: {
  patientId: string;
  appointmentId: string;
  encounterId: string | undefined;
  practitionerIds: string[];
  binaryId: string;
  size: number;
  start: string;
  end: string;
  consentIds: string[];
}): Record<string, unknown> {
  return {
    resourceType: 'DocumentReference',
    meta: { tag: [RELEASED] },
    status: 'current',
    docStatus: 'final',
    type: { coding: [RECORDING_CODING] },
    subject: { reference: `Patient/${r.patientId}` },
    date: r.end,
    author: r.practitionerIds.map((id) => ({ reference: `Practitioner/${id}` })),
    content: [
      {
        attachment: {
          contentType: 'video/webm',
          url: `Binary/${r.binaryId}`,
          size: r.size,
          title: 'Video visit recording',
          creation: r.start,
        },
      },
    ],
    context: {
      ...(r.encounterId !== undefined && {
        encounter: [{ reference: `Encounter/${r.encounterId}` }],
      }),
      period: { start: r.start, end: r.end },
      related: [
        { reference: `Appointment/${r.appointmentId}` },
        ...r.consentIds.map((id) => ({ reference: `Consent/${id}` })),
      ],
    },
  };
}
