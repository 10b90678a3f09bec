/** The auditor's filters as FHIR AuditEvent search parameters (src/audit/audit-query.ts). */
export interface AuditFilters {
  person: string;
  patient: string;
  action: string;
  outcome: string;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = {
  person: '',
  patient: '',
  action: '',
  outcome: '',
  from: '',
  to: '',
};

/** Up to this many entries are drawn in the chart; the table shows the newest of them. */
export const CHART_LIMIT = 1000;

export function auditSearchPath(f: AuditFilters): string {
  const q = new URLSearchParams();
  if (f.person.trim()) q.set('agent', f.person.trim());
  if (f.patient.trim()) q.set('patient', f.patient.trim());
  if (f.action) q.set('subtype', f.action);
  if (f.outcome) q.set('outcome', f.outcome);
  if (f.from) q.append('date', `ge${f.from}`);
  if (f.to) q.append('date', `le${f.to}`);
  q.set('_count', String(CHART_LIMIT));
  return `/fhir/R4/AuditEvent?${q.toString()}`;
}

/** A date range must run forwards; ids are checked by the server. */
export function checkFilters(f: AuditFilters): string | undefined {
  if (f.from && f.to && f.from > f.to) return 'The start date must not be after the end date.';
  return undefined;
}

export interface AuditEvent {
  id: string;
  recorded: string;
  outcome: string;
  subtype?: { code?: string; display?: string }[];
  type?: { code?: string; display?: string };
  agent?: { who?: { identifier?: { system?: string; value?: string } } }[];
  entity?: { what?: { reference?: string; display?: string } }[];
}

export const OUTCOMES: Record<string, string> = { '0': 'Allowed', '4': 'Refused', '8': 'Failed' };

/** Access volume per day (or per hour when the entries span less than two days), oldest first. */
export function volumeOverTime(
  events: AuditEvent[],
): { when: string; allowed: number; refused: number }[] {
  if (events.length === 0) return [];
  const times = events.map((e) => Date.parse(e.recorded));
  const hourly = Math.max(...times) - Math.min(...times) < 2 * 86_400_000;
  const buckets = new Map<string, { when: string; allowed: number; refused: number }>();
  for (const e of events) {
    const key = hourly ? e.recorded.slice(0, 13) + ':00' : e.recorded.slice(0, 10);
    const b = buckets.get(key) ?? { when: key.replace('T', ' '), allowed: 0, refused: 0 };
    if (e.outcome === '0') b.allowed++;
    else b.refused++;
    buckets.set(key, b);
  }
  return [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
}

export const actorOf = (e: AuditEvent) => e.agent?.[0]?.who?.identifier?.value ?? '';
export const actorTypeOf = (e: AuditEvent) =>
  (e.agent?.[0]?.who?.identifier?.system ?? '').replace('urn:haven:', '');
export const patientOf = (e: AuditEvent) =>
  e.entity?.find((x) => x.what?.reference?.startsWith('Patient/'))?.what?.reference ?? '';
export const recordOf = (e: AuditEvent) =>
  e.entity?.[0]?.what?.reference ?? e.entity?.[0]?.what?.display ?? '';
export const actionOf = (e: AuditEvent) =>
  e.subtype?.[0]?.display ?? e.subtype?.[0]?.code ?? e.type?.display ?? e.type?.code ?? '';
