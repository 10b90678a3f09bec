import { auditEntryFromRow, type AuditEntry } from '../../audit/index.js';
import { CliFailure, print, withAuditCore, type CommonFlags } from '../common.js';
import { recordOperatorEvent } from '../operator-audit.js';

export type SearchFlags = CommonFlags & {
  from?: string;
  to?: string;
  actor?: string;
  patient?: string;
  outcome?: string;
  action?: string;
  limit: string;
  offset: string;
};

const OUTCOMES = new Set(['success', 'denied', 'failure']);

/**
 * audit search (declared in ../tree/audit.ts): read the trail without exporting it, newest
 * first, by time range, actor, patient id, outcome and action, a page at a time. The search is
 * itself audited (audit-read).
 */
export async function auditSearch(flags: SearchFlags): Promise<void> {
  const query = {
    ...(flags.from !== undefined && { from: isoDate(flags.from, '--from') }),
    ...(flags.to !== undefined && { to: isoDate(flags.to, '--to') }),
    ...(flags.actor !== undefined && { actorId: flags.actor }),
    ...(flags.patient !== undefined && { patientId: flags.patient.replace(/^Patient\//, '') }),
    ...(flags.outcome !== undefined && { outcome: outcomeOf(flags.outcome) }),
    ...(flags.action !== undefined && { action: flags.action }),
  };
  const limit = whole(flags.limit, '--limit', 1, 1000);
  const offset = whole(flags.offset, '--offset', 0, Number.MAX_SAFE_INTEGER);
  const { rows, total } = await withAuditCore(flags, async (haven) => {
    const found = await haven.auditRepo.search(query, limit, offset);
    await recordOperatorEvent(haven, 'audit-read', 'audit-search');
    return found;
  });
  const entries = rows.map(auditEntryFromRow);
  const next = offset + entries.length < total ? offset + entries.length : undefined;
  print(
    flags,
    { total, offset, limit, ...(next !== undefined && { nextOffset: next }), entries },
    table(entries, total, offset, next),
  );
}

function table(entries: AuditEntry[], total: number, offset: number, next?: number): string {
  if (entries.length === 0) return `No audit entries match (${total} in all).`;
  const head = ['seq', 'at', 'actor', 'action', 'outcome', 'resource', 'patient'];
  const lines = entries.map((e) => [
    String(e.seq),
    e.at,
    `${e.actorType}:${e.actorId ?? '-'}`,
    e.action,
    e.outcome,
    e.resourceType
      ? `${e.resourceType}${e.resourceId ? `/${e.resourceId}` : ''}${e.resourceVersion !== null ? `/_history/${e.resourceVersion}` : ''}`
      : '-',
    e.patientId ?? '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    row(head),
    ...lines.map(row),
    `entries ${offset + 1}–${offset + entries.length} of ${total}` +
      (next !== undefined ? `; next page: --offset ${next}` : ''),
  ].join('\n');
}

function isoDate(value: string, flag: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CliFailure(`${flag} must be an ISO date or date-time`, 64);
  return new Date(ms).toISOString();
}

function outcomeOf(value: string): string {
  if (!OUTCOMES.has(value))
    throw new CliFailure('--outcome must be success, denied or failure', 64);
  return value;
}

function whole(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new CliFailure(`${flag} must be a whole number from ${min} to ${max}`, 64);
  return n;
}
