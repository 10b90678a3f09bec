import type { AuditRepository, AuditRow, CheckpointRow } from '../../store/index.js';
import type { NoteVerifier } from '../checkpoint/index.js';
import { verifyTrail } from '../verify.js';
import { toAuditEvent } from '../audit-event.js';
import { parseAuditQuery } from '../audit-query.js';
import type { AuditDraft } from '../entry.js';
import type { AuditRecorder } from '../recorder.js';
import type { RequestFacts } from '../request-draft.js';
import { fromRow } from '../rows.js';

/** Which view of the trail a caller asks for: what the access decision is asked about. */
export type AuditViewRequest =
  { view: 'read' } | { view: 'search' } | { view: 'disclosures'; patientId: string };

/** The access decision's answer; its reason is recorded, never shown. */
export type AuditViewDecision = { allowed: true } | { allowed: false; reason: string };

/** A view's answer: what the caller may see, or why they may not (the refusal is recorded). */
export type Viewed<T> = { allowed: true; value: T } | { allowed: false; reason: string };

export interface AuditViewsOptions<C extends RequestFacts> {
  repo: AuditRepository;
  audit: AuditRecorder;
  /**
   * Who may see what: the access capability's decision, passed in by the composition root. It
   * is not imported: src/access records through src/audit (break-glass), so audit naming access
   * would make the two import each other.
   */
  decide: (ctx: C, request: AuditViewRequest) => AuditViewDecision;
  /** The checkpoint signers' keys, for the trail's verification status. */
  verifiers?: readonly NoteVerifier[];
}

/** Whether the whole trail verifies now, and the newest signed checkpoint. */
export interface TrailStatus {
  checkedAt: string;
  verified: boolean;
  entries: number;
  checkpointsChecked: number;
  /** The first entry that failed, and how (no entry content). */
  problem?: { seq: number; kind: string };
  lastCheckpoint?: { size: number; rootHash: string; signedAt: string };
}

/** One access to a patient's record, as the accounting of disclosures lists it. */
export interface Disclosure {
  when: string;
  who: { type: string; id: string | null };
  action: string;
  outcome: string;
  resource?: string;
  reason?: string;
}

/** The most accesses one accounting of disclosures lists (newest first). */
const DISCLOSURES_LIMIT = 1000;

/**
 * Read-only views of the audit trail: FHIR AuditEvents for privacy officers' tools and the
 * accounting of disclosures for one patient. Each view asks the access decision, records the
 * look at the trail (allowed or not) durably, and only then reads: nothing of the trail is
 * returned unless that entry is written (fail closed).
 */
export class AuditViews<C extends RequestFacts> {
  constructor(private readonly o: AuditViewsOptions<C>) {}

  /** One entry as a FHIR AuditEvent; undefined when there is no entry with that number. */
  async event(ctx: C, seq: number): Promise<Viewed<Record<string, unknown> | undefined>> {
    const refused = await this.allow(ctx, { view: 'read' }, { seq });
    if (refused) return refused;
    const row = await this.o.repo.entry(seq);
    return { allowed: true, value: row && toAuditEvent(fromRow(row)) };
  }

  /**
   * An AuditEvent search (parseAuditQuery's parameters; an invalid one throws AuditQueryError
   * before anything is recorded). The entry names the parameters, never their values.
   */
  async search(
    ctx: C,
    pairs: Array<[string, string]>,
  ): Promise<
    Viewed<{ events: Record<string, unknown>[]; total: number; count: number; offset: number }>
  > {
    const { query, count, offset } = parseAuditQuery(pairs);
    const params = [...new Set(pairs.map(([k]) => k))].sort();
    const refused = await this.allow(ctx, { view: 'search' }, { params });
    if (refused) return refused;
    const { rows, total } = await this.o.repo.search(query, count, offset);
    return {
      allowed: true,
      value: { events: rows.map((r) => toAuditEvent(fromRow(r))), total, count, offset },
    };
  }

  /**
   * Accounting of disclosures (45 CFR 164.528): who accessed this patient's record, when, how.
   * Staff-internal details (addresses, user agents, request ids) are left out.
   */
  async disclosures(ctx: C, patientId: string): Promise<Viewed<Disclosure[]>> {
    const refused = await this.allow(
      ctx,
      { view: 'disclosures', patientId },
      { disclosuresOf: patientId },
    );
    if (refused) return refused;
    const rows = await this.o.repo.forPatient(patientId, DISCLOSURES_LIMIT);
    return { allowed: true, value: rows.map(disclosure) };
  }

  /**
   * The trail's verification status (every entry against the signed checkpoints, as `haven
   * audit verify` does) and its newest checkpoint: for the auditor's screen. Recorded like a
   * search; it reads hashes and signatures only.
   */
  async status(ctx: C, now: () => Date): Promise<Viewed<TrailStatus>> {
    const refused = await this.allow(ctx, { view: 'search' }, { status: true });
    if (refused) return refused;
    const report = await verifyTrail(this.o.repo, [...(this.o.verifiers ?? [])]);
    const last = (await this.o.repo.checkpoints()).reduce<CheckpointRow | undefined>(
      (a, c) => (a === undefined || c.size >= a.size ? c : a),
      undefined,
    );
    return {
      allowed: true,
      value: {
        checkedAt: now().toISOString(),
        verified: report.ok,
        entries: report.entries,
        checkpointsChecked: report.checkpointsChecked,
        ...(report.problem && { problem: { seq: report.problem.seq, kind: report.problem.kind } }),
        ...(last && {
          lastCheckpoint: {
            size: last.size,
            rootHash: last.rootHash.toString('hex'),
            signedAt: last.createdAt,
          },
        }),
      },
    };
  }

  /** Decides, then records the look at the trail: undefined if allowed, else the refusal. */
  private async allow(
    ctx: C,
    request: AuditViewRequest,
    detail: NonNullable<AuditDraft['detail']>,
  ): Promise<{ allowed: false; reason: string } | undefined> {
    const decision = this.o.decide(ctx, request);
    await this.o.audit.record(ctx, {
      action: 'audit-read',
      outcome: decision.allowed ? 'success' : 'denied',
      resourceType: 'AuditEvent',
      detail: decision.allowed ? detail : { ...detail, reason: decision.reason },
    });
    return decision.allowed ? undefined : decision;
  }
}

function disclosure(r: AuditRow): Disclosure {
  return {
    when: r.at,
    who: { type: r.actor_type, id: r.actor_id },
    action: r.action,
    outcome: r.outcome,
    ...(r.resource_type
      ? { resource: r.resource_id ? `${r.resource_type}/${r.resource_id}` : r.resource_type }
      : {}),
    ...(r.reason ? { reason: r.reason } : {}),
  };
}
