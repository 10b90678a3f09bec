import type { RequestContext } from '../auth/index.js';
import { prepareVersion, writePrepared, type PreparedVersion } from '../records/index.js';
import { MessageRepository } from '../store/index.js';
import { communicationBody, type AttachmentRef } from './communication.js';
import { draft, patientIdOf, patientKey, type MessagingDeps } from './context.js';
import { MessagingError } from './errors.js';
import { threadPeople } from './participants.js';
import { authorizeThread, refuseMissing } from './thread-access.js';

export interface NewAttachment {
  contentType: string;
  title: string;
  /** Base64 content; checked like any Binary (type signature, size limit). */
  data: string;
}

export interface NewMessage {
  /** A new thread: its patient (a patient writing leaves it out) and subject. */
  patient?: string | undefined;
  subject?: string | undefined;
  /** A reply: the thread's id. */
  threadId?: string | undefined;
  text: string;
  attachment?: NewAttachment | undefined;
}

export interface SentMessage {
  id: string;
  threadId: string;
  seq: number;
  sentAt: string;
}

/**
 * Sends one message: the access decision on the thread's patient, then the Communication (and
 * its Binary) sealed under that patient's key, its place in the thread and the audit entries in
 * one transaction. Recipients are told only that something waits, after the commit.
 */
export async function sendMessage(
  deps: MessagingDeps,
  ctx: RequestContext,
  m: NewMessage,
): Promise<SentMessage> {
  const sender = senderReference(ctx);
  const patient = await threadPatient(deps, ctx, m);
  const grant = await authorizeThread(deps, ctx, 'create', patient, m.threadId);
  const people = await threadPeople(deps, patient);
  const sentAt = deps.records.clock().toISOString();
  const id = deps.records.newId();
  const binary = m.attachment ? await prepareAttachment(deps, patient, m.attachment) : undefined;
  const comm = await prepareVersion(
    deps.records,
    communicationBody({
      id,
      patient,
      sender,
      recipients: [...new Set(people.members.values())].filter((r) => r !== sender),
      sent: sentAt,
      text: m.text,
      subject: m.threadId === undefined ? m.subject : undefined,
      threadId: m.threadId,
      attachment: binary?.ref,
    }),
    id,
    1,
    undefined,
  );
  const threadId = m.threadId ?? id;
  const entry = (p: PreparedVersion, outcome: 'success' | 'failure', error?: string) =>
    draft(
      ctx,
      {
        action: 'create',
        outcome,
        resourceType: p.resourceType,
        resourceId: p.id,
        resourceVersion: p.version,
        patientId: patientIdOf(patient),
        detail: { messaging: true, ...(error !== undefined && { error }) },
      },
      grant,
    );
  const written = [...(binary ? [binary.prepared] : []), comm];
  const seq = await deps.records.audit.transact({
    run: async (trx) => {
      for (const p of written) await writePrepared(trx, p);
      return MessageRepository.append(trx, {
        id,
        threadId,
        patientKey: patientKey(deps, patient),
        senderId: ctx.principal.id,
        sentAt,
      });
    },
    onSuccess: () => written.map((p) => entry(p, 'success')),
    onFailure: (e) => written.map((p) => entry(p, 'failure', codeOf(e))),
  });
  const recipients = [...people.members.keys()].filter((u) => u !== ctx.principal.id);
  await deps.notifications.messageSent(threadId, recipients);
  return { id, threadId, seq, sentAt };
}

/** The FHIR reference a person writes as: their Patient, or their Practitioner. */
function senderReference(ctx: RequestContext): string {
  const p = ctx.principal;
  if (p.kind === 'user' && p.roles.includes('patient') && p.patientId !== undefined)
    return `Patient/${p.patientId}`;
  if (p.kind === 'user' && p.practitionerId !== undefined)
    return `Practitioner/${p.practitionerId}`;
  throw new MessagingError('not-a-participant', 'only patients and clinicians send messages');
}

/** The patient whose thread this is: the thread's own, the named one, or the patient writing. */
async function threadPatient(
  deps: MessagingDeps,
  ctx: RequestContext,
  m: NewMessage,
): Promise<string> {
  if (m.threadId !== undefined) {
    const [head, row] = await Promise.all([
      deps.records.resources.head('Communication', m.threadId),
      deps.messages.message(m.threadId),
    ]);
    if (!head || head.deleted || !row || row.threadId !== m.threadId)
      return refuseMissing(deps, ctx, 'create', 'Communication', m.threadId);
    return head.owner;
  }
  const own = ctx.principal.roles.includes('patient') ? ctx.principal.patientId : undefined;
  const patient = own ?? m.patient;
  if (patient === undefined) throw new MessagingError('invalid', 'a new thread names its patient');
  if (m.subject === undefined) throw new MessagingError('invalid', 'a new thread has a subject');
  return `Patient/${patient}`;
}

async function prepareAttachment(
  deps: MessagingDeps,
  patient: string,
  a: NewAttachment,
): Promise<{ prepared: PreparedVersion; ref: AttachmentRef }> {
  const binaryId = deps.records.newId();
  const prepared = await prepareVersion(
    deps.records,
    {
      resourceType: 'Binary',
      contentType: a.contentType,
      securityContext: { reference: patient },
      data: a.data,
    },
    binaryId,
    1,
    undefined,
  );
  const size = Buffer.from(a.data, 'base64').length;
  return { prepared, ref: { binaryId, contentType: a.contentType, title: a.title, size } };
}

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
