import type { OwnerTypeAge } from '../store/index.js';
import { DisposalError } from './errors.js';

/**
 * How long records are kept, per resource type, in whole years from their last change. The
 * defaults follow the longest common US rule: adult medical records kept 10 years after the
 * last encounter in most states that set a period (several require 7, a few 10 or more), and
 * HIPAA's own 6 years for documentation. Minors' records often longer (to majority + N): a
 * clinic with minors sets `Patient=25y`-style rules. Configured with HAVEN_RETENTION, e.g.
 * `default=10y,AuditEvent=6y,Appointment=7y`.
 */
export type RetentionRules = { default: number } & Record<string, number>;

export const DEFAULT_RETENTION: RetentionRules = { default: 10 };

/** Documented reasons a disposal may happen before the retention period (recorded in audit). */
export const OVERRIDE_REASONS = ['created-in-error', 'duplicate-record', 'legal-order'] as const;
export type OverrideReason = (typeof OVERRIDE_REASONS)[number];

export function parseRetention(text: string | undefined): RetentionRules {
  const rules: RetentionRules = { ...DEFAULT_RETENTION };
  if (text === undefined || text.trim() === '') return rules;
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(\d{1,3})y\s*$/.exec(part);
    if (!m) {
      throw new DisposalError(
        'bad-override',
        `retention rule "${part.trim()}" is not TYPE=<years>y (e.g. default=10y,Observation=7y)`,
      );
    }
    rules[m[1]!] = Number(m[2]);
  }
  return rules;
}

/**
 * The resource types whose retention has not passed at `now` (empty: disposal may go ahead):
 * each type's newest change plus its period, or the default's.
 */
export function retentionBlocks(
  rules: RetentionRules,
  ages: readonly OwnerTypeAge[],
  now: Date,
): { resourceType: string; until: string }[] {
  const blocked: { resourceType: string; until: string }[] = [];
  for (const a of ages) {
    const years = rules[a.resourceType] ?? rules.default;
    const until = new Date(a.lastUpdated);
    until.setUTCFullYear(until.getUTCFullYear() + years);
    if (until.getTime() > now.getTime()) {
      blocked.push({ resourceType: a.resourceType, until: until.toISOString() });
    }
  }
  return blocked;
}
