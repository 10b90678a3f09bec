import type { RequestContext } from '../auth/index.js';
import { openOrFail } from '../records/index.js';
import { MessageRepository, type Receipt } from '../store/index.js';
import { messageContent, type AttachmentRef } from './communication.js';
import { draft, patientIdOf, type MessagingDeps } from './context.js';
import { authorizeThread, refuseMissing } from './thread-access.js';

export interface ReadReceipt {
  /** Who read it, as the FHIR reference they act as (Patient/… or Practitioner/…), or 'staff'. */
  reader: string;
  readerId: string;
  readAt: string;
}

export interface MessageView {
  id: string;
  seq: number;
  sentAt: string;
  sender: string;
  senderId: string;
  mine: boolean;
  text: string;
  attachment: AttachmentRef | undefined;
  readBy: ReadReceipt[];
}

export interface ThreadView {
  threadId: string;
  patient: string;
  subject: string;
  messages: MessageView[];
}

/**
 * Opens a thread: the access decision on its patient, every message decrypted (a key or
 * integrity failure serves nothing), then this reader's receipts for what others wrote and the
 * read entry committed together, and only then the content handed back.
 */
export async function readThread(
  deps: MessagingDeps,
  ctx: RequestContext,
  threadId: string,
): Promise<ThreadView> {
  const [head, rows] = await Promise.all([
    deps.records.resources.head('Communication', threadId),
    deps.messages.inThread(threadId),
  ]);
  if (!head || head.deleted || rows.length === 0 || rows[0]!.id !== threadId)
    return refuseMissing(deps, ctx, 'read', 'Communication', threadId);
  const patient = head.owner;
  const grant = await authorizeThread(deps, ctx, 'read', patient, threadId);
  const contents = await Promise.all(
    rows.map(async (row) => {
      const stored = await deps.records.resources.readCurrent('Communication', row.id);
      // The index and the store disagree only if something was tampered with: serve nothing.
      if (!stored || stored.owner !== patient)
        return refuseMissing(deps, ctx, 'read', 'Communication', row.id);
      const json = await openOrFail(deps.records, ctx, stored, 'read');
      return messageContent(JSON.parse(json.toString('utf8')) as Record<string, unknown>);
    }),
  );
  const me = ctx.principal.id;
  const earlier = await deps.messages.receiptsFor(rows.map((r) => r.id));
  const seen = new Set(earlier.filter((r) => r.readerId === me).map((r) => r.messageId));
  const newlyRead = rows.filter((r) => r.senderId !== me && !seen.has(r.id)).map((r) => r.id);
  const readAt = deps.records.clock().toISOString();
  await deps.records.audit.transact({
    run: (trx) => MessageRepository.markRead(trx, me, newlyRead, readAt),
    onSuccess: () => [
      draft(
        ctx,
        {
          action: 'read',
          outcome: 'success',
          resourceType: 'Communication',
          resourceId: threadId,
          patientId: patientIdOf(patient),
          detail: { messaging: true, messages: rows.length, newlyRead: newlyRead.length },
        },
        grant,
      ),
    ],
    onFailure: () => [
      draft(ctx, {
        action: 'read',
        outcome: 'failure',
        resourceType: 'Communication',
        resourceId: threadId,
        patientId: patientIdOf(patient),
        detail: { messaging: true, error: 'receipt-failed' },
      }),
    ],
  });
  const receipts: Receipt[] = [
    ...earlier,
    ...newlyRead.map((messageId) => ({ messageId, readerId: me, readAt })),
  ];
  const speaksAs = await speakers(deps);
  return {
    threadId,
    patient,
    subject: contents[0]!.subject ?? '',
    messages: rows.map((row, i) => {
      const c = contents[i]!;
      return {
        id: row.id,
        seq: row.seq,
        sentAt: row.sentAt,
        sender: c.sender,
        senderId: row.senderId,
        mine: row.senderId === me,
        text: c.text,
        attachment: c.attachment,
        readBy: receipts
          .filter((r) => r.messageId === row.id && r.readerId !== row.senderId)
          .map((r) => ({
            reader: speaksAs.get(r.readerId) ?? 'staff',
            readerId: r.readerId,
            readAt: r.readAt,
          })),
      };
    }),
  };
}

/** userId → the reference the account acts as, for naming readers. */
async function speakers(deps: MessagingDeps): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const a of await deps.directory.linkedAccounts()) {
    if (a.roles.includes('patient') && a.patientId !== null)
      out.set(a.id, `Patient/${a.patientId}`);
    else if (a.practitionerId !== null) out.set(a.id, `Practitioner/${a.practitionerId}`);
  }
  return out;
}
