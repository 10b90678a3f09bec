import { z } from 'zod';

/**
 * What a browser may send over the visit socket: SDP and ICE to relay to the other side, the
 * clinician's admission, a hang-up. Strict objects with bounded strings: anything else closes
 * the socket. Nothing here is stored or logged; it only passes to the other participant.
 */
const Description = z.strictObject({
  type: z.enum(['offer', 'answer']),
  sdp: z.string().max(32_000),
});

const Candidate = z.strictObject({
  candidate: z.string().max(1_000),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

export const ClientMessage = z.union([
  z.strictObject({ type: z.literal('admit') }),
  z.strictObject({ type: z.literal('hangup') }),
  z.strictObject({ type: z.literal('signal'), description: Description }),
  z.strictObject({ type: z.literal('signal'), candidate: Candidate }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** The relayed part of a signal message. */
export type SignalData =
  { description: z.infer<typeof Description> } | { candidate: z.infer<typeof Candidate> };

/** Largest message accepted (an SDP with many codecs is ~10 KiB); larger closes with 1009. */
export const MAX_MESSAGE_BYTES = 48 * 1024;

/** Per connection: a burst of 60 messages, then 20 a second (ICE trickles dozens at once). */
export const RATE = { burst: 60, perSecond: 20 };

export interface RoomStateMessage {
  type: 'state';
  role: 'patient' | 'clinician';
  patientPresent: boolean;
  clinicianPresent: boolean;
  admitted: boolean;
  ended: boolean;
  /** The other side's connection, opaque: a new value means it reconnected (renegotiate). */
  peer: string | null;
  encounterId: string | null;
}
