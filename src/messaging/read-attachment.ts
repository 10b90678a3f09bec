import type { RequestContext } from '../auth/index.js';
import { openOrFail } from '../records/index.js';
import { messageContent } from './communication.js';
import { draft, patientIdOf, type MessagingDeps } from './context.js';
import { authorizeThread, refuseMissing } from './thread-access.js';

export interface AttachmentContent {
  contentType: string;
  title: string;
  data: string;
}

/**
 * A message's attachment, for whoever may read the message's thread. The Binary is reached only
 * through the message that names it and must belong to the same patient, so a Binary id alone
 * (or one copied from another thread) opens nothing. Recorded as an attachment download.
 */
export async function readAttachment(
  deps: MessagingDeps,
  ctx: RequestContext,
  messageId: string,
): Promise<AttachmentContent> {
  const stored = await deps.records.resources.readCurrent('Communication', messageId);
  const row = await deps.messages.message(messageId);
  if (!stored || stored.deleted || !row)
    return refuseMissing(deps, ctx, 'attachment-download', 'Communication', messageId);
  const grant = await authorizeThread(deps, ctx, 'attachment-download', stored.owner, messageId);
  const json = await openOrFail(deps.records, ctx, stored, 'attachment-download');
  const ref = messageContent(
    JSON.parse(json.toString('utf8')) as Record<string, unknown>,
  ).attachment;
  const binary = ref && (await deps.records.resources.readCurrent('Binary', ref.binaryId));
  if (!ref || !binary || binary.deleted || binary.owner !== stored.owner)
    return refuseMissing(deps, ctx, 'attachment-download', 'Communication', messageId);
  const body = JSON.parse(
    (await openOrFail(deps.records, ctx, binary, 'attachment-download')).toString('utf8'),
  ) as { contentType?: string; data?: string };
  await deps.records.audit.append(
    draft(
      ctx,
      {
        action: 'attachment-download',
        outcome: 'success',
        resourceType: 'Binary',
        resourceId: ref.binaryId,
        resourceVersion: binary.version,
        patientId: patientIdOf(stored.owner),
        detail: { messaging: true, message: messageId },
      },
      grant,
    ),
  );
  return {
    contentType: body.contentType ?? ref.contentType,
    title: ref.title,
    data: body.data ?? '',
  };
}
