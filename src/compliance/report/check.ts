/** One line of the compliance report: what was checked, against which rule, and what was found. */
export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface ComplianceCheck {
  /** Stable id (`idle-timeout`), for scripts and the web app. */
  id: string;
  title: string;
  /** The rule it evidences, e.g. "45 CFR 164.312(a)(2)(iii)". */
  regulation: string;
  status: CheckStatus;
  /** What was found: settings, counts and ids only, never PHI. For `unknown`, why. */
  evidence: string;
  /** How to fix a failure (or how to make an unknown verifiable). */
  fix: string;
}

export interface ComplianceReport {
  generatedAt: string;
  engine: 'sqlite' | 'postgres';
  checks: ComplianceCheck[];
  summary: Record<CheckStatus, number>;
}

export function summarize(checks: readonly ComplianceCheck[]): Record<CheckStatus, number> {
  const summary = { pass: 0, fail: 0, unknown: 0 };
  for (const c of checks) summary[c.status] += 1;
  return summary;
}
