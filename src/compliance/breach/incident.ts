import { PHI_DETECTORS } from '../report/log-scan.js';

/** The four factors of 45 CFR 164.402(2), recorded with the incident. */
export interface RiskAssessment {
  /** (i) The nature and extent of the PHI involved (types of identifiers, likelihood of re-identification). */
  natureAndExtent: string;
  /** (ii) The unauthorized person who used the PHI or to whom it was disclosed (a role, not a name). */
  unauthorizedPerson: string;
  /** (iii) Whether the PHI was actually acquired or viewed. */
  acquiredOrViewed: 'acquired' | 'viewed' | 'not-acquired' | 'unknown';
  /** (iv) The extent to which the risk has been mitigated. */
  mitigation: string;
  /** The conclusion: a low probability that the PHI has been compromised (no notice needed). */
  lowProbabilityOfCompromise: boolean;
  assessedBy: string;
  assessedAt: string;
}

/** Who may have been affected: an actor's successful accesses in a time window (audit trail). */
export interface AffectedScope {
  actorId: string;
  from: string;
  to: string;
}

export interface AffectedSummary extends AffectedScope {
  count: number;
  /** Affected individuals per state of residence (from their address); "unknown" when none. */
  byState: Record<string, number>;
  computedAt: string;
}

/** A security incident as stored: PHI-free by construction (see checkNoPhi). */
export interface Incident {
  id: string;
  discoveredAt: string;
  description: string;
  systems: string[];
  createdBy: string;
  assessment?: RiskAssessment;
  affected?: AffectedSummary;
}

export class IncidentError extends Error {
  constructor(
    readonly code: 'invalid' | 'phi-refused' | 'not-found' | 'conflict' | 'no-assessment',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Refuses text that looks like PHI (SSN, email, phone, FHIR field names, canary values): the
 * incident record must describe what happened without the data it happened to. Names cannot be
 * recognised by pattern, so the forms say "a role, not a name"; the refusal names the field and
 * the detector, never the text.
 */
export function checkNoPhi(field: string, text: string): void {
  for (const d of PHI_DETECTORS)
    if (d.pattern.test(text))
      throw new IncidentError(
        'phi-refused',
        `${field} looks like it holds PHI (${d.name}); describe the incident without patient data`,
      );
}

export function validText(field: string, text: unknown, max = 2000): string {
  if (typeof text !== 'string' || text.trim().length < 3 || text.length > max)
    throw new IncidentError('invalid', `${field} must be 3 to ${max} characters`);
  checkNoPhi(field, text);
  return text.trim();
}

export function validInstant(field: string, text: unknown): string {
  const d = typeof text === 'string' ? new Date(text) : new Date(NaN);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(String(text)))
    throw new IncidentError('invalid', `${field} must be an ISO date or date-time`);
  return d.toISOString();
}
