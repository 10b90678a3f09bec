import type { AuditFact, SubjectFacts } from '../../src/alerts/index.js';

/** A fact as the audit stream would give it, with the fields a test does not care about null. */
export function fact(over: Partial<AuditFact> & Pick<AuditFact, 'at' | 'action'>): AuditFact {
  return {
    actorType: 'user',
    actorId: 'u-nurse',
    outcome: 'success',
    resourceType: 'Patient',
    patientId: null,
    ip: '10.0.0.5',
    requestId: `r-${Math.random().toString(36).slice(2)}`,
    emergency: false,
    ref: null,
    searchParams: [],
    denial: null,
    resources: 0,
    ...over,
  };
}

/**
 * A clinic's people and patients for the rules: who is whom, who cares for whom, who is a VIP,
 * whose surname matches (by an opaque token standing in for the blind index).
 */
export class ClinicFacts implements SubjectFacts {
  readonly care = new Set<string>();
  readonly vips = new Set<string>();
  readonly surnames = new Map<string, string>();
  readonly selves = new Map<string, string>();

  relate(userId: string, patientId: string): void {
    this.care.add(`${userId}|${patientId}`);
  }
  isSelf(userId: string, patientId: string): Promise<boolean> {
    return Promise.resolve(this.selves.get(userId) === patientId);
  }
  isVip(patientId: string): Promise<boolean> {
    return Promise.resolve(this.vips.has(patientId));
  }
  sharesSurname(userId: string, patientId: string): Promise<boolean> {
    const a = this.surnames.get(userId);
    return Promise.resolve(a !== undefined && a === this.surnames.get(patientId));
  }
  hasCareRelation(userId: string, patientId: string): Promise<boolean> {
    return Promise.resolve(this.care.has(`${userId}|${patientId}`));
  }
}
