import { base64Utf8, type DocumentReference } from './fhir-shapes.js';
import { LOINC } from './vitals.js';

/** LOINC "Progress note": the notes section shows these; the documents section the others. */
export const PROGRESS_NOTE = '11506-3';

export const MAX_NOTE_CHARS = 20_000;

/** Why a note cannot be sent yet, per field. */
export function noteErrors(title: string, text: string): { title?: string; text?: string } {
  return {
    ...(title.trim() === '' && { title: 'Give the note a title' }),
    ...(title.length > 200 && { title: 'At most 200 characters' }),
    ...(text.trim() === '' && { text: 'Write the note' }),
    ...(text.length > MAX_NOTE_CHARS && { text: `At most ${MAX_NOTE_CHARS} characters` }),
  };
}

/**
 * A clinical note as the shared contract has it: DocumentReference, status current, docStatus
 * preliminary (draft) or final (signed, with its authenticator), LOINC 11506-3, plain UTF-8
 * text. `base` carries what an edit keeps (id, relatesTo).
 */
export function noteResource(o: {
  base?: Partial<DocumentReference>;
  patientId: string;
  practitionerId: string;
  title: string;
  text: string;
  sign: boolean;
  at: Date;
}): DocumentReference {
  const { id: _id, meta: _meta, ...kept } = o.base ?? {};
  const { authenticator: _a, ...rest } = kept;
  return {
    ...rest,
    resourceType: 'DocumentReference',
    ...(o.base?.id !== undefined && { id: o.base.id }),
    status: 'current',
    docStatus: o.sign ? 'final' : 'preliminary',
    type: { coding: [{ system: LOINC, code: PROGRESS_NOTE, display: 'Progress note' }] },
    subject: { reference: `Patient/${o.patientId}` },
    date: o.at.toISOString(),
    author: [{ reference: `Practitioner/${o.practitionerId}` }],
    ...(o.sign && { authenticator: { reference: `Practitioner/${o.practitionerId}` } }),
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          data: base64Utf8(o.text),
          title: o.title.trim(),
        },
      },
    ],
  } as DocumentReference;
}
