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
