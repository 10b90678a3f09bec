import { z } from 'zod';
import { FHIR_ID, REFUSALS } from './common.js';

/** Video visits (src/http/visit-routes.ts, ADR 0027). A room is named by its Appointment id. */
const VisitParams = z.object({ id: FHIR_ID });

const RoomSummary = z.object({
  patientPresent: z.boolean(),
  clinicianPresent: z.boolean(),
  admitted: z.boolean(),
  ended: z.boolean(),
  encounterId: z.string().nullable(),
});

export const visit = {
  summary: "One's own place in a visit room: side, window, who is there (participants only)",
  params: VisitParams,
  response: {
    200: z.object({
      role: z.enum(['patient', 'clinician']),
      patientId: z.string(),
      practitionerIds: z.array(z.string()),
      start: z.string(),
      end: z.string(),
      opensAt: z.string(),
      closesAt: z.string(),
      room: RoomSummary,
      recording: z.boolean(),
    }),
    ...REFUSALS,
  },
};

export const iceServers = {
  summary: 'ICE servers for a participant of an open room; TURN credentials that expire',
  params: VisitParams,
  response: {
    200: z.object({
      iceServers: z.array(
        z.object({
          urls: z.array(z.string()),
          username: z.string().optional(),
          credential: z.string().optional(),
        }),
      ),
      expiresAt: z.string().optional(),
    }),
    ...REFUSALS,
  },
};

export const waiting = {
  summary: "Patients waiting in the clinician's own visit rooms",
  response: {
    200: z.object({
      waiting: z.array(z.object({ appointment: z.string(), since: z.string() })),
    }),
    ...REFUSALS,
  },
};

export const signal = {
  summary:
    'The visit signaling WebSocket (upgrade only): same-origin, session cookie, participants of an open room',
  params: VisitParams,
  response: {
    101: z.undefined().describe('Switching Protocols: the socket carries SDP/ICE and room state'),
    ...REFUSALS,
  },
};

/** Visit recording (ADR 0034). */
const RecordingParams = z.object({ id: FHIR_ID, recording: z.string().uuid() });

const RecordingStatus = z.object({
  enabled: z.boolean(),
  consents: z.object({ patient: z.boolean(), clinician: z.boolean() }),
  active: z
    .object({ id: z.string(), nextSeq: z.number(), bytes: z.number(), mine: z.boolean() })
    .nullable(),
  recordings: z.array(
    z.object({
      id: z.string(),
      documentReference: z.string().nullable(),
      binary: z.string().nullable(),
      bytes: z.number(),
    }),
  ),
});

export const recordingStatus = {
  summary:
    "A visit's recording: the switch, both sides' consent, the running and the kept recordings",
  params: VisitParams,
  response: { 200: RecordingStatus, ...REFUSALS },
};

export const recordingConsent = {
  summary:
    "One's own consent to recording this visit (a FHIR Consent), given or withdrawn; withdrawing stops a recording",
  params: VisitParams,
  body: z.object({ given: z.boolean() }).strict(),
  response: { 200: RecordingStatus, ...REFUSALS },
};

export const recordingStart = {
  summary: 'Starts recording a running visit; both sides must consent (the switch on)',
  params: VisitParams,
  response: { 201: z.object({ id: z.string() }), ...REFUSALS },
};

/** Base64 of at most 1 MiB (CHUNK_MAX_BYTES), checked again after decoding. */
const MAX_CHUNK_BASE64 = Math.ceil((1024 * 1024) / 3) * 4;

export const recordingChunk = {
  summary:
    'One chunk of WebM from the browser recording, in order; sealed under the patient key at once',
  params: RecordingParams,
  body: z
    .object({
      seq: z.number().int().min(0).max(1_000_000),
      data: z
        .string()
        .max(MAX_CHUNK_BASE64)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/),
    })
    .strict(),
  response: { 200: z.object({ nextSeq: z.number() }), ...REFUSALS },
};

export const recordingStop = {
  summary: 'Stops a recording: its chunks become a Binary and a DocumentReference',
  params: RecordingParams,
  response: {
    200: z.object({
      id: z.string(),
      documentReference: z.string().nullable(),
      binary: z.string().nullable(),
    }),
    ...REFUSALS,
  },
};
