import type { Grant } from '../access/index.js';
import type { RequestContext } from '../auth/index.js';
import { draft, patientIdOf, type MessagingDeps } from './context.js';
import { threadNotFound } from './errors.js';

/**
 * Who may read and write a patient's threads: whoever may read that patient's Communications
 * under the role table (the patient themself, a clinician on their care team or with an
 * appointment, or one holding a break-glass grant). Sending needs the same right: a thread is the
 * patient and their care team. A refusal is audited and then looks exactly like a missing thread,
 * so a clinician cannot learn which patients have threads.
 */
export async function authorizeThread(
  deps: MessagingDeps,
  ctx: RequestContext,
  action: 'read' | 'create' | 'search' | 'attachment-download',
  patient: string,
  resourceId?: string,
): Promise<Grant> {
  const decision = await deps.records.access.decide(
    ctx.principal,
    { interaction: 'read', resourceType: 'Communication', owner: patient },
    ctx.policy,
  );
  if (decision.allowed) return decision.grant;
  await deps.records.audit.append(
    draft(ctx, {
      action,
      outcome: 'denied',
      resourceType: 'Communication',
      resourceId,
      patientId: patientIdOf(patient),
      detail: { reason: decision.reason, messaging: true },
    }),
  );
  throw threadNotFound();
}

/** A refusal for something that does not exist, audited like any other. */
export async function refuseMissing(
  deps: MessagingDeps,
  ctx: RequestContext,
  action: 'read' | 'create' | 'attachment-download',
  resourceType: string,
  resourceId: string,
): Promise<never> {
  await deps.records.audit.append(
    draft(ctx, {
      action,
      outcome: 'failure',
      resourceType,
      resourceId,
      detail: { error: 'not-found', messaging: true },
    }),
  );
  throw threadNotFound();
}
