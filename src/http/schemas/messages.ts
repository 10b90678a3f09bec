import { z } from 'zod';
import { FHIR_ID, REFUSALS } from './common.js';

/** Secure messaging (src/http/message-routes.ts, ADR 0028). Texts are PHI: never echoed in refusals. */
const Attachment = z.object({
  contentType: z.string().min(1).max(100),
  title: z.string().trim().min(1).max(200),
  // Base64; the content is checked like any Binary (type signature, HAVEN_BINARY_LIMIT_BYTES).
  data: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/),
});

const Text = z.string().trim().min(1).max(10_000);

const AttachmentRef = z.object({
  binaryId: z.string(),
  contentType: z.string(),
  title: z.string(),
  size: z.number(),
});

const Message = z.object({
  id: z.string(),
  seq: z.number(),
  sentAt: z.string(),
  sender: z.string(),
  senderId: z.string(),
  mine: z.boolean(),
  text: z.string(),
  attachment: AttachmentRef.optional(),
  readBy: z.array(z.object({ reader: z.string(), readerId: z.string(), readAt: z.string() })),
});

const Sent = z.object({
  id: z.string(),
  threadId: z.string(),
  seq: z.number(),
  sentAt: z.string(),
});

const ThreadParams = z.object({ id: FHIR_ID });

export const inbox = {
  summary: "The caller's message threads with unread counts (subjects are PHI: audited)",
  response: {
    200: z.object({
      unread: z.number(),
      threads: z.array(
        z.object({
          threadId: z.string(),
          patient: z.string(),
          subject: z.string(),
          messages: z.number(),
          unread: z.number(),
          lastSentAt: z.string(),
        }),
      ),
    }),
    ...REFUSALS,
  },
};

export const startThread = {
  summary: 'Start a thread with a patient and their care team (a patient leaves out `patient`)',
  body: z.object({
    patient: FHIR_ID.optional(),
    subject: z.string().trim().min(1).max(200),
    text: Text,
    attachment: Attachment.optional(),
  }),
  response: { 201: Sent, ...REFUSALS },
};

export const thread = {
  summary: "A thread's messages with read receipts; marks them read for the caller (audited)",
  params: ThreadParams,
  response: {
    200: z.object({
      threadId: z.string(),
      patient: z.string(),
      subject: z.string(),
      messages: z.array(Message),
    }),
    ...REFUSALS,
  },
};

export const reply = {
  summary: 'Send a message in a thread',
  params: ThreadParams,
  body: z.object({ text: Text, attachment: Attachment.optional() }),
  response: { 201: Sent, ...REFUSALS },
};

export const attachment = {
  summary: "A message's attachment, base64 (recorded as an attachment download)",
  params: ThreadParams,
  response: {
    200: z.object({ contentType: z.string(), title: z.string(), data: z.string() }),
    ...REFUSALS,
  },
};
