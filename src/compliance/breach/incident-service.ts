import type { AuditDraft, AuditRecorder } from '../../audit/index.js';
import type { AuditRepository, IncidentRepository, IncidentRow } from '../../store/index.js';
import { deadlines, type Deadline } from './deadlines.js';
import {
  IncidentError,
  validInstant,
  validText,
  type AffectedScope,
  type Incident,
  type RiskAssessment,
} from './incident.js';
import { noticeDraft, type NoticeContact } from './notice.js';

/** Who acts: a request's principal, or the operator at the terminal (`cli:<user>`). */
export type IncidentActor = Pick<
  AuditDraft,
  'actorType' | 'actorId' | 'ip' | 'userAgent' | 'requestId'
>;

export interface IncidentDeps {
  repo: IncidentRepository;
  audit: AuditRecorder;
  auditRepo: Pick<AuditRepository, 'patientsTouchedBy'>;
  /** The state of residence on a patient's record (decrypted here, returned only as a state). */
  patientState: (patientId: string) => Promise<string | undefined>;
  clock: () => Date;
  newId: () => string;
}

export interface IncidentView {
  incident: Incident;
  version: number;
  deadlines: Deadline[];
}

const ACQUIRED = ['acquired', 'viewed', 'not-acquired', 'unknown'] as const;

/**
 * Breach response (45 CFR 164.400–414): incidents, the four-factor assessment, the affected
 * individuals from the audit trail, deadlines and notice drafts. Every call is audited; writes
 * commit with their entry. Nothing stored names a patient: affected individuals are kept as the
 * query that finds them and counts per state.
 */
export class IncidentService {
  constructor(private readonly d: IncidentDeps) {}

  async create(
    actor: IncidentActor,
    input: { discoveredAt: unknown; description: unknown; systems: unknown },
  ): Promise<IncidentView> {
    const systems = Array.isArray(input.systems) ? input.systems : [];
    const incident: Incident = {
      id: this.d.newId(),
      discoveredAt: validInstant('discoveredAt', input.discoveredAt),
      description: validText('description', input.description),
      systems: systems.map((s, i) => validText(`systems[${i}]`, s, 100)),
      createdBy: actor.actorId ?? 'unknown',
    };
    if (new Date(incident.discoveredAt) > this.d.clock())
      throw new IncidentError('invalid', 'discoveredAt may not be in the future');
    const at = this.d.clock().toISOString();
    await this.d.audit.transact({
      run: (trx) =>
        this.d.repo.insertIn(trx, {
          id: incident.id,
          discoveredAt: incident.discoveredAt,
          record: JSON.stringify(incident),
          createdAt: at,
        }),
      onSuccess: () => [this.draft(actor, 'incident-create', 'success', incident.id)],
      onFailure: () => [this.draft(actor, 'incident-create', 'failure', incident.id)],
    });
    return this.view(incident, 1);
  }

  async list(actor: IncidentActor): Promise<IncidentView[]> {
    const rows = await this.d.repo.list();
    await this.d.audit.append(
      this.draft(actor, 'incident-read', 'success', undefined, { returned: rows.length }),
    );
    return rows.map((r) => this.view(JSON.parse(r.record) as Incident, r.version));
  }

  async get(actor: IncidentActor, id: string): Promise<IncidentView> {
    const row = await this.row(actor, id, 'incident-read');
    await this.d.audit.append(this.draft(actor, 'incident-read', 'success', id));
    return this.view(JSON.parse(row.record) as Incident, row.version);
  }

  /** Records the four-factor risk assessment (replacing an earlier one), compare-and-set. */
  async assess(
    actor: IncidentActor,
    id: string,
    version: number,
    input: Omit<RiskAssessment, 'assessedBy' | 'assessedAt'>,
  ): Promise<IncidentView> {
    if (!(ACQUIRED as readonly string[]).includes(input.acquiredOrViewed))
      throw new IncidentError('invalid', `acquiredOrViewed must be one of ${ACQUIRED.join(', ')}`);
    const assessment: RiskAssessment = {
      natureAndExtent: validText('natureAndExtent', input.natureAndExtent),
      unauthorizedPerson: validText('unauthorizedPerson', input.unauthorizedPerson),
      acquiredOrViewed: input.acquiredOrViewed,
      mitigation: validText('mitigation', input.mitigation),
      lowProbabilityOfCompromise: input.lowProbabilityOfCompromise === true,
      assessedBy: actor.actorId ?? 'unknown',
      assessedAt: this.d.clock().toISOString(),
    };
    return this.update(actor, id, version, (i) => ({ ...i, assessment }), {
      step: 'assessment',
      lowProbability: assessment.lowProbabilityOfCompromise,
    });
  }

  /**
   * The individuals whose records `actorId` touched in [from, to), from the audit trail, counted
   * per state of residence. Each patient's address is read (audited per patient) and only its
   * state leaves this method; the incident stores the query and the counts.
   */
  async computeAffected(
    actor: IncidentActor,
    id: string,
    version: number,
    scopeInput: { actorId: unknown; from: unknown; to: unknown },
  ): Promise<IncidentView> {
    if (typeof scopeInput.actorId !== 'string' || !/^[\w:.@-]{1,200}$/.test(scopeInput.actorId))
      throw new IncidentError('invalid', 'actorId must be a user, client or cli: id');
    const scope: AffectedScope = {
      actorId: scopeInput.actorId,
      from: validInstant('from', scopeInput.from),
      to: validInstant('to', scopeInput.to),
    };
    if (scope.from >= scope.to) throw new IncidentError('invalid', 'from must be before to');
    await this.row(actor, id, 'incident-affected');
    const patients = await this.d.auditRepo.patientsTouchedBy(scope.actorId, scope.from, scope.to);
    const byState: Record<string, number> = {};
    for (const p of patients) {
      const state = (await this.d.patientState(p)) ?? 'unknown';
      byState[state] = (byState[state] ?? 0) + 1;
    }
    // Reading each address is a PHI read: one entry per patient, durable before counts are shown.
    if (patients.length > 0)
      await this.d.audit.append(
        ...patients.map((patientId) => ({
          ...this.draft(actor, 'incident-affected', 'success', id, { purpose: 'breach-count' }),
          patientId,
          resourceType: 'Patient',
          resourceId: patientId,
        })),
      );
    const affected = {
      ...scope,
      count: patients.length,
      byState,
      computedAt: this.d.clock().toISOString(),
    };
    return this.update(actor, id, version, (i) => ({ ...i, affected }), {
      step: 'affected',
      count: patients.length,
    });
  }

  /** A notice letter draft (164.404(c)); never stored, its recipient fields placeholders. */
  async notice(actor: IncidentActor, id: string, contact: NoticeContact): Promise<string> {
    const row = await this.row(actor, id, 'incident-notice');
    const incident = JSON.parse(row.record) as Incident;
    if (!incident.assessment) {
      await this.d.audit.append(
        this.draft(actor, 'incident-notice', 'failure', id, { reason: 'no-assessment' }),
      );
      throw new IncidentError(
        'no-assessment',
        'record the risk assessment before drafting notices',
      );
    }
    // The organization's own contact details (not PHI, so not pattern-checked); never stored.
    for (const [k, v] of Object.entries(contact))
      if (typeof v !== 'string' || v.trim().length < 3 || v.length > 300)
        throw new IncidentError('invalid', `${k} must be 3 to 300 characters`);
    const text = noticeDraft(incident, contact);
    await this.d.audit.append(this.draft(actor, 'incident-notice', 'success', id));
    return text;
  }

  private async update(
    actor: IncidentActor,
    id: string,
    version: number,
    change: (i: Incident) => Incident,
    detail: Record<string, string | number | boolean>,
  ): Promise<IncidentView> {
    const row = await this.row(actor, id, 'incident-update');
    if (row.version !== version) return this.conflict(actor, id);
    const next = change(JSON.parse(row.record) as Incident);
    const saved = await this.d.audit.transact({
      run: (trx) =>
        this.d.repo.updateIn(trx, id, version, JSON.stringify(next), this.d.clock().toISOString()),
      onSuccess: (ok) => [
        this.draft(actor, 'incident-update', ok ? 'success' : 'failure', id, {
          ...detail,
          ...(!ok && { reason: 'conflict' }),
        }),
      ],
      onFailure: () => [this.draft(actor, 'incident-update', 'failure', id, detail)],
    });
    if (!saved)
      throw new IncidentError('conflict', 'the incident was changed meanwhile; reload it');
    return this.view(next, version + 1);
  }

  private async conflict(actor: IncidentActor, id: string): Promise<never> {
    await this.d.audit.append(
      this.draft(actor, 'incident-update', 'failure', id, { reason: 'conflict' }),
    );
    throw new IncidentError('conflict', 'the incident was changed meanwhile; reload it');
  }

  private async row(
    actor: IncidentActor,
    id: string,
    action: AuditDraft['action'],
  ): Promise<IncidentRow> {
    const row = await this.d.repo.get(id);
    if (row) return row;
    await this.d.audit.append(this.draft(actor, action, 'failure', id, { reason: 'not-found' }));
    throw new IncidentError('not-found', 'no such incident');
  }

  private view(incident: Incident, version: number): IncidentView {
    return { incident, version, deadlines: deadlines(incident, this.d.clock()) };
  }

  private draft(
    actor: IncidentActor,
    action: AuditDraft['action'],
    outcome: AuditDraft['outcome'],
    incidentId: string | undefined,
    detail: Record<string, string | number | boolean> = {},
  ): AuditDraft {
    return {
      ...actor,
      action,
      outcome,
      ...(incidentId !== undefined && { resourceType: 'Incident', resourceId: incidentId }),
      detail,
    };
  }
}
