import type { Principal } from '../auth/index.js';
import {
  decideFhirAccess,
  NO_RELATION,
  rulesFor,
  type Decision,
  type FhirTarget,
  type RelationFacts,
} from './decide.js';
import type { FhirInteraction } from './interactions.js';
import { DEFAULT_ACCESS_POLICY, type AccessPolicyOptions } from './policy.js';

/** The relations the decision needs, looked up in the store (CareRelationRepository). */
export interface RelationSource {
  relationsOf(
    practitioner: string | undefined,
    patients: readonly string[],
  ): Promise<{ care: Set<string>; labOrder: Set<string> }>;
  /**
   * The same for one patient, plus the person's active grant, in one round trip: what every
   * read by a person asks. `practitioner` '' for a person without a practitioner link.
   */
  factsForPatient(
    practitioner: string,
    patient: string,
    userId: string,
    now: string,
  ): Promise<{ care: boolean; labOrder: boolean; grantId: string | undefined }>;
  /** Patients on a care team or with an appointment with this practitioner. */
  patientsOf(practitioner: string): Promise<string[]>;
  /** Patients with a laboratory order. */
  patientsWithLabOrder(): Promise<string[]>;
}

/** Break-glass grants in force now for one person. */
export interface GrantSource {
  activeGrants(userId: string): Promise<readonly { id: string; patient: string }[]>;
}

/** Whose records a search may return; undefined means every patient's. */
export interface SearchReach {
  patients: readonly string[];
}

/**
 * The access decision with its facts: looks up how a person relates to the patients in question
 * (care team, appointment, lab order, break-glass grant), then asks the pure decideFhirAccess.
 * API clients and rows that reach any patient need no lookup, so integrations pay nothing.
 */
export class AccessControl {
  constructor(
    private readonly relations: RelationSource,
    private readonly grants: GrantSource,
    private readonly clock: () => Date,
  ) {}

  /** Decision for one record (owner given) or for the type as a whole (owner undefined). */
  async decide(
    principal: Principal,
    target: FhirTarget,
    policy: AccessPolicyOptions = DEFAULT_ACCESS_POLICY,
  ): Promise<Decision> {
    if (target.owner === undefined) return decideFhirAccess(principal, target, NO_RELATION, policy);
    const facts = await this.factsFor(principal, target.resourceType, target.interaction, [
      target.owner,
    ]);
    return decideFhirAccess(principal, target, facts.get(target.owner) ?? NO_RELATION, policy);
  }

  /** Decisions for many records of one type (a search page, a history, $everything). */
  async decideEach(
    principal: Principal,
    interaction: FhirInteraction,
    resourceType: string,
    owners: readonly string[],
    policy: AccessPolicyOptions = DEFAULT_ACCESS_POLICY,
  ): Promise<Map<string, Decision>> {
    const unique = [...new Set(owners)];
    const facts = await this.factsFor(principal, resourceType, interaction, unique);
    return new Map(
      unique.map((o) => [
        o,
        decideFhirAccess(
          principal,
          { interaction, resourceType, owner: o },
          facts.get(o) ?? NO_RELATION,
          policy,
        ),
      ]),
    );
  }

  /**
   * The patients a person's search may reach, as a filter the store applies before counting.
   * Undefined when a row reaches every patient (or for an API client, whose scopes are type-wide).
   */
  async searchReach(principal: Principal, resourceType: string): Promise<SearchReach | undefined> {
    if (principal.kind === 'client') return undefined;
    const rules = rulesFor(principal, resourceType, 'search');
    const onlyPatientScopes =
      principal.scopes.length > 0 && principal.scopes.every((s) => s.context === 'patient');
    const self = principal.patientId !== undefined ? [`Patient/${principal.patientId}`] : [];
    if (onlyPatientScopes) return { patients: self };
    if (rules.some((r) => r.reach === 'any')) return undefined;
    const patients: string[] = [];
    if (rules.some((r) => r.reach === 'self')) patients.push(...self);
    const care = rules.some((r) => r.reach === 'care');
    // Relations keep no plaintext patient to join on: the related patients are resolved here
    // (keyed lookup, then the sealed ids opened) and the store filters on record owners.
    const [grants, related, labs] = await Promise.all([
      care ? this.grants.activeGrants(principal.id) : [],
      care && principal.practitionerId !== undefined
        ? this.relations.patientsOf(`Practitioner/${principal.practitionerId}`)
        : [],
      rules.some((r) => r.reach === 'lab-order') ? this.relations.patientsWithLabOrder() : [],
    ]);
    patients.push(...grants.map((g) => g.patient), ...related, ...labs);
    return { patients: [...new Set(patients)] };
  }

  private async factsFor(
    principal: Principal,
    resourceType: string,
    interaction: FhirInteraction,
    owners: readonly string[],
  ): Promise<Map<string, RelationFacts>> {
    const out = new Map<string, RelationFacts>();
    if (principal.kind !== 'user') return out;
    const rules = rulesFor(principal, resourceType, interaction);
    const needsCare = rules.some((r) => r.reach === 'care');
    const needsLab = rules.some((r) => r.reach === 'lab-order');
    const patients = owners.filter((o) => o.startsWith('Patient/'));
    if ((!needsCare && !needsLab) || patients.length === 0) return out;
    const practitioner =
      needsCare && principal.practitionerId !== undefined
        ? `Practitioner/${principal.practitionerId}`
        : undefined;
    if (patients.length === 1) {
      const one = await this.relations.factsForPatient(
        practitioner ?? '',
        patients[0]!,
        principal.id,
        this.clock().toISOString(),
      );
      out.set(patients[0]!, {
        care: one.care,
        labOrder: one.labOrder,
        ...(needsCare && one.grantId !== undefined && { emergencyGrant: one.grantId }),
      });
      return out;
    }
    const [related, grants] = await Promise.all([
      this.relations.relationsOf(practitioner, patients),
      needsCare ? this.grants.activeGrants(principal.id) : Promise.resolve([]),
    ]);
    for (const p of patients) {
      const grant = grants.find((g) => g.patient === p);
      out.set(p, {
        care: related.care.has(p),
        labOrder: related.labOrder.has(p),
        ...(grant && { emergencyGrant: grant.id }),
      });
    }
    return out;
  }
}
