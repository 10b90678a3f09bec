import type { RequestContext } from '../auth/index.js';
import { openOrFail } from '../records/index.js';
import { messageContent } from './communication.js';
import { draft, patientIdOf, patientKey, type MessagingDeps } from './context.js';

export interface ThreadListing {
  threadId: string;
  patient: string;
  subject: string;
  messages: number;
  unread: number;
  lastSentAt: string;
}

/**
 * The caller's inbox: the threads of every patient they may read messages of, newest first,
 * each with how many messages from others this caller has not read. The subjects are PHI, so
 * listing them is recorded: one search entry per patient shown.
 */
export async function listThreads(
  deps: MessagingDeps,
  ctx: RequestContext,
): Promise<{ threads: ThreadListing[]; unread: number }> {
  const reach = await deps.records.access.searchReach(ctx.principal, 'Communication');
  // Only people have inboxes; a reach of "every patient" is no role's (and no inbox).
  const candidates = ctx.principal.kind === 'user' && reach ? reach.patients : [];
  const decisions = await deps.records.access.decideEach(
    ctx.principal,
    'read',
    'Communication',
    candidates,
    ctx.policy,
  );
  const allowed = candidates.filter((p) => decisions.get(p)?.allowed === true);
  const byKey = new Map(allowed.map((p) => [patientKey(deps, p).toString('hex'), p]));
  const summaries = await deps.messages.threadsFor(
    allowed.map((p) => patientKey(deps, p)),
    ctx.principal.id,
  );
  const threads: ThreadListing[] = [];
  for (const s of summaries) {
    const patient = byKey.get(s.patientKey.toString('hex'));
    const stored = await deps.records.resources.readCurrent('Communication', s.threadId);
    if (patient === undefined || !stored || stored.owner !== patient) continue;
    const json = await openOrFail(deps.records, ctx, stored, 'search');
    const c = messageContent(JSON.parse(json.toString('utf8')) as Record<string, unknown>);
    threads.push({
      threadId: s.threadId,
      patient,
      subject: c.subject ?? '',
      messages: s.messages,
      unread: s.unread,
      lastSentAt: s.lastSentAt,
    });
  }
  const shown = [...new Set(threads.map((t) => t.patient))];
  await deps.records.audit.append(
    ...(shown.length > 0 ? shown : [undefined]).map((p) => {
      const d = p === undefined ? undefined : decisions.get(p);
      return draft(
        ctx,
        {
          action: 'search',
          outcome: 'success',
          resourceType: 'Communication',
          patientId: p === undefined ? undefined : patientIdOf(p),
          detail: {
            messaging: true,
            threads: threads.filter((t) => t.patient === p).length,
          },
        },
        d?.allowed ? d.grant : undefined,
      );
    }),
  );
  return { threads, unread: threads.reduce((n, t) => n + t.unread, 0) };
}
