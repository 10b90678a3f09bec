import type { AuditDraft } from '../audit/index.js';

/**
 * What the rules see of one durable audit entry: ids, the action and its outcome, never names,
 * reasons or search values. This is also what crosses Redis pub/sub between instances, so it is
 * deliberately smaller than the entry (no user agent, no free-text reason).
 */
export interface AuditFact {
  at: string;
  actorType: AuditDraft['actorType'];
  actorId: string | null;
  action: string;
  outcome: AuditDraft['outcome'];
  resourceType: string | null;
  patientId: string | null;
  ip: string | null;
  requestId: string | null;
  /** The access rested on a break-glass grant. */
  emergency: boolean;
  /** The grant, approval or other Haven id the entry names (detail.grant / detail.approval). */
  ref: string | null;
  /** Searched parameter names (never values), for the search-sweep rule. */
  searchParams: string[];
  /** The refusal's reason code, when the access was denied. */
  denial: string | null;
  /** How many resources an export or $everything returned (detail.resources), else 0. */
  resources: number;
}

/** The fact of a draft that became durable at `at` (the commit time of its batch). */
export function factFromDraft(d: AuditDraft, at: string): AuditFact {
  const detail = d.detail ?? {};
  const text = (k: string) => (typeof detail[k] === 'string' ? (detail[k] as string) : null);
  const params = detail.params;
  return {
    at,
    actorType: d.actorType,
    actorId: d.actorId,
    action: d.action,
    outcome: d.outcome,
    resourceType: d.resourceType ?? null,
    patientId: d.patientId ?? null,
    ip: d.ip ?? null,
    requestId: d.requestId ?? null,
    emergency: detail.emergency !== undefined,
    ref: text('grant') ?? text('approval'),
    searchParams: Array.isArray(params) ? params.filter((p) => typeof p === 'string') : [],
    denial: d.outcome === 'denied' ? text('reason') : null,
    resources: typeof detail.resources === 'number' ? detail.resources : 0,
  };
}

/** Reading a patient's chart (or part of it): the actions the access rules look at. */
export const RECORD_READS: ReadonlySet<string> = new Set([
  'read',
  'vread',
  'history',
  'attachment-download',
]);

/** Actions that take many records out at once. */
export const EXPORTS: ReadonlySet<string> = new Set(['export']);
