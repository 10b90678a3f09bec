import type { Alert } from '../alerts/index.js';
import { requestDraft, type AuditDraft, type AuditRecorder } from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';
import type { BreakGlassRepository, BreakGlassRow } from '../store/index.js';
import type { GrantSource } from './access-control.js';
import { decideApiAccess } from './decide.js';

/** Seals the stated reason under the patient's data key, so disposal shreds it with the record. */
export interface ReasonVault {
  seal(grantId: string, patient: string, reason: string): Promise<Buffer>;
  open(grantId: string, patient: string, sealed: Buffer): Promise<string>;
}

export interface BreakGlassOptions {
  repo: BreakGlassRepository;
  audit: AuditRecorder;
  reasons: ReasonVault;
  raiseAlert: (alert: Alert) => Promise<void>;
  patientExists: (patientId: string) => Promise<boolean>;
  clock: () => Date;
  newId: () => string;
  /** Lifetime of a grant (HAVEN_BREAK_GLASS_MINUTES, default 60). */
  minutes: number;
}

/** A grant as the web app's banner and the admin view show it. */
export interface GrantView {
  id: string;
  userId: string;
  patientId: string;
  createdAt: string;
  expiresAt: string;
  secondsLeft: number;
}

export class BreakGlassError extends Error {
  constructor(
    readonly code: 'not-permitted' | 'unknown-patient' | 'already-active' | 'not-found',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Emergency access. A clinician states a reason and gets the access a care relationship would
 * give, to one patient, for a fixed time. The expiry is written once when the grant is made: no
 * call extends it (a second request while one is active is refused), so staying in a record
 * means asking again, with a new reason, a new alert and a new entry in the trail.
 */
export class BreakGlassService implements GrantSource {
  constructor(private readonly o: BreakGlassOptions) {}

  async request(ctx: RequestContext, patientId: string, reason: string): Promise<GrantView> {
    const { principal } = ctx;
    const decision = decideApiAccess(principal, 'break-glass:request', undefined, ctx.policy);
    if (!decision.allowed) {
      await this.audit(ctx, 'break-glass', 'denied', patientId, { reason: decision.reason });
      throw new BreakGlassError('not-permitted', 'your role may not use emergency access');
    }
    if (!(await this.o.patientExists(patientId))) {
      await this.audit(ctx, 'break-glass', 'failure', patientId, { reason: 'unknown-patient' });
      throw new BreakGlassError('unknown-patient', 'no such patient');
    }
    const patient = `Patient/${patientId}`;
    const now = this.o.clock();
    const mine = await this.o.repo.active(now.toISOString(), principal.id);
    if (mine.some((g) => g.patient === patient)) {
      throw new BreakGlassError(
        'already-active',
        'an emergency grant for this patient is already active; it cannot be extended',
      );
    }
    const id = this.o.newId();
    const row = {
      id,
      userId: principal.id,
      patient,
      reasonSealed: await this.o.reasons.seal(id, patient, reason),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.o.minutes * 60_000).toISOString(),
    };
    await this.o.audit.transact({
      run: (trx) => this.o.repo.insertIn(trx, row),
      onSuccess: () => [
        this.draft(ctx, 'break-glass', 'success', patientId, {
          grant: id,
          expiresAt: row.expiresAt,
        }),
      ],
      onFailure: () => [],
    });
    await this.o.raiseAlert({
      rule: 'break-glass',
      severity: 'high',
      at: row.createdAt,
      actorId: principal.id,
      ref: id,
    });
    return view({ ...row, endedAt: null, endedBy: null }, now);
  }

  /** GrantSource: the grants a person holds right now (used by every access decision). */
  async activeGrants(userId: string): Promise<{ id: string; patient: string }[]> {
    return this.o.repo.active(this.o.clock().toISOString(), userId);
  }

  /**
   * How many grants are open right now and who holds them (the compliance report): user ids and
   * expiries only, never which patient, so nothing is disclosed and nothing needs auditing.
   */
  async openGrantSummary(): Promise<{ userId: string; expiresAt: string }[]> {
    const rows = await this.o.repo.active(this.o.clock().toISOString());
    return rows.map((r) => ({ userId: r.userId, expiresAt: r.expiresAt }));
  }

  /** Active grants: a reviewer (admin, privacy officer) sees all, anyone else their own. */
  async listActive(ctx: RequestContext): Promise<(GrantView & { reason?: string })[]> {
    const now = this.o.clock();
    const reviewer = this.mayReview(ctx);
    const rows = await this.o.repo.active(
      now.toISOString(),
      reviewer ? undefined : ctx.principal.id,
    );
    const grants = await Promise.all(
      rows.map(async (r) => ({
        ...view(r, now),
        // The stated reason is for the people who review emergency access.
        ...(reviewer && { reason: await this.o.reasons.open(r.id, r.patient, r.reasonSealed) }),
      })),
    );
    // Who is under emergency access for which patient (and why) is itself disclosed here: one
    // entry per patient listed, or one without a patient for an empty list; durable first.
    const patients = [...new Set(grants.map((g) => g.patientId))];
    const detail = { returned: grants.length, reasons: reviewer };
    await this.o.audit.append(
      ...(patients.length === 0
        ? [requestDraft(ctx, { action: 'break-glass-list', outcome: 'success', detail })]
        : patients.map((patientId) =>
            requestDraft(ctx, {
              action: 'break-glass-list',
              outcome: 'success',
              patientId,
              detail,
            }),
          )),
    );
    return grants;
  }

  /** Ends a grant early: its holder, or a reviewer. Nobody can move its expiry. */
  async end(ctx: RequestContext, grantId: string): Promise<void> {
    const row = await this.o.repo.get(grantId);
    if (!row || (row.userId !== ctx.principal.id && !this.mayReview(ctx))) {
      throw new BreakGlassError('not-found', 'no such active grant');
    }
    const at = this.o.clock().toISOString();
    if (!(await this.o.repo.end(grantId, ctx.principal.id, at))) {
      throw new BreakGlassError('not-found', 'no such active grant');
    }
    await this.audit(ctx, 'break-glass-end', 'success', row.patient.slice('Patient/'.length), {
      grant: grantId,
    });
  }

  private mayReview(ctx: RequestContext): boolean {
    return decideApiAccess(ctx.principal, 'break-glass:review', undefined, ctx.policy).allowed;
  }

  private async audit(
    ctx: RequestContext,
    action: 'break-glass' | 'break-glass-end',
    outcome: 'success' | 'denied' | 'failure',
    patientId: string,
    detail: Record<string, string>,
  ): Promise<void> {
    await this.o.audit.append(this.draft(ctx, action, outcome, patientId, detail));
  }

  private draft(
    ctx: RequestContext,
    action: 'break-glass' | 'break-glass-end',
    outcome: 'success' | 'denied' | 'failure',
    patientId: string,
    detail: Record<string, string>,
  ): AuditDraft {
    return requestDraft(ctx, {
      action,
      outcome,
      resourceType: 'Patient',
      resourceId: patientId,
      patientId,
      detail,
    });
  }
}

function view(r: BreakGlassRow, now: Date): GrantView {
  return {
    id: r.id,
    userId: r.userId,
    patientId: r.patient.slice('Patient/'.length),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    secondsLeft: Math.max(0, Math.floor((Date.parse(r.expiresAt) - now.getTime()) / 1000)),
  };
}
