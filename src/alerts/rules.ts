import { EXPORTS, RECORD_READS, type AuditFact } from './facts.js';
import { clockMinutes, localTime, type AlertSettings } from './settings.js';

export const ALERT_RULES = [
  'volume',
  'vip-access',
  'same-surname',
  'break-glass',
  'failed-logins-account',
  'failed-logins-address',
  'after-hours',
  'no-care-relation',
  'mass-export',
  'search-sweep',
  'privilege-request',
  'privilege-granted',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
export type AlertSeverity = 'high' | 'medium' | 'low';

/** What a rule found: ids only. The store de-duplicates it per rule and subject. */
export interface AlertCandidate {
  rule: AlertRule;
  severity: AlertSeverity;
  at: string;
  /** The person (or API client) whose action raised it. */
  userId: string | null;
  /** The patient whose record was touched, when the rule is about one record. */
  patientId: string | null;
  /** A Haven id to look up (a grant, an approval) or a keyed hash of an address. */
  ref: string | null;
}

/**
 * Facts about people and patients that the rules need but the audit entry does not carry.
 * Each answers from ids and keyed hashes: no name is compared in clear or put in an alert.
 */
export interface SubjectFacts {
  /** The person is the patient (a patient reading their own record raises nothing). */
  isSelf(userId: string, patientId: string): Promise<boolean>;
  isVip(patientId: string): Promise<boolean>;
  /** The person and the patient share a surname (compared by blind index). */
  sharesSurname(userId: string, patientId: string): Promise<boolean>;
  /** A care relation (not an emergency grant) links the person to the patient. */
  hasCareRelation(userId: string, patientId: string): Promise<boolean>;
}

/**
 * Sliding-window counters, shared across instances when they live in Redis: `add` records
 * `member` under `key` at `atMs`, forgets members older than the window and answers how many
 * distinct members remain.
 */
export interface WindowCounters {
  add(key: string, member: string, atMs: number, windowMs: number): Promise<number>;
}

export interface RuleContext {
  settings: AlertSettings;
  counters: WindowCounters;
  subjects: SubjectFacts;
  /** A keyed hash of a network address, so an alert can name it without holding it. */
  addressRef: (ip: string) => string;
}

const MINUTE = 60_000;

/** Every alert one durable audit entry raises. */
export async function evaluate(f: AuditFact, c: RuleContext): Promise<AlertCandidate[]> {
  const found: AlertCandidate[] = [];
  const raise = (
    rule: AlertRule,
    severity: AlertSeverity,
    subject: Partial<Pick<AlertCandidate, 'userId' | 'patientId' | 'ref'>>,
  ) =>
    found.push({
      rule,
      severity,
      at: f.at,
      userId: subject.userId ?? null,
      patientId: subject.patientId ?? null,
      ref: subject.ref ?? null,
    });
  const atMs = Date.parse(f.at);
  const member = f.requestId ?? `${f.at}:${Math.random()}`;
  const s = c.settings;

  if (f.action === 'break-glass' && f.outcome === 'success')
    raise('break-glass', 'high', { userId: f.actorId, patientId: f.patientId, ref: f.ref });
  if (f.action === 'privilege-request' && f.outcome === 'success')
    raise('privilege-request', 'high', { userId: f.actorId, ref: f.ref });
  if (f.action === 'privilege-approve' && f.outcome === 'success')
    raise('privilege-granted', 'high', { userId: f.actorId, ref: f.ref });

  if (f.action.startsWith('login') && (f.outcome === 'failure' || f.outcome === 'denied')) {
    const w = s.failedLogins.windowMinutes * MINUTE;
    if (f.actorId !== null) {
      const n = await c.counters.add(`login:user:${f.actorId}`, member, atMs, w);
      if (n >= s.failedLogins.perAccount)
        raise('failed-logins-account', 'medium', { userId: f.actorId });
    }
    if (f.ip !== null) {
      const ref = c.addressRef(f.ip);
      const n = await c.counters.add(`login:addr:${ref}`, member, atMs, w);
      if (n >= s.failedLogins.perAddress) raise('failed-logins-address', 'medium', { ref });
    }
  }

  const actor = f.actorId;
  if (actor === null || (f.actorType !== 'user' && f.actorType !== 'client')) return found;

  if (EXPORTS.has(f.action) && f.outcome === 'success') {
    const w = s.massExport.windowMinutes * MINUTE;
    const n = await c.counters.add(`export:${actor}`, member, atMs, w);
    if (n >= s.massExport.exports || f.resources >= s.massExport.resources)
      raise('mass-export', 'high', { userId: actor });
  }
  if (f.action === 'search' && f.outcome === 'success') {
    const w = s.searchSweep.windowMinutes * MINUTE;
    // Each search counts once; varied parameters (names only) make the same total.
    const n = await c.counters.add(`search:${actor}`, member, atMs, w);
    if (n >= s.searchSweep.searches) raise('search-sweep', 'medium', { userId: actor });
  }

  const patient = f.patientId;
  if (!RECORD_READS.has(f.action) || patient === null || f.actorType !== 'user') return found;
  if (f.outcome === 'denied') {
    raise('no-care-relation', 'medium', { userId: actor, patientId: patient });
    return found;
  }
  if (f.outcome !== 'success' || (await c.subjects.isSelf(actor, patient))) return found;

  const vw = s.volume.windowMinutes * MINUTE;
  if ((await c.counters.add(`volume:${actor}`, patient, atMs, vw)) >= s.volume.patients)
    raise('volume', 'high', { userId: actor });
  if (await c.subjects.isVip(patient))
    raise('vip-access', 'high', { userId: actor, patientId: patient });
  if (await c.subjects.sharesSurname(actor, patient))
    raise('same-surname', 'medium', { userId: actor, patientId: patient });
  if (!f.emergency && !(await c.subjects.hasCareRelation(actor, patient)))
    raise('no-care-relation', 'medium', { userId: actor, patientId: patient });
  if (!f.emergency && afterHours(new Date(atMs), s.clinicHours))
    raise('after-hours', 'low', { userId: actor });
  return found;
}

function afterHours(at: Date, h: AlertSettings['clinicHours']): boolean {
  const { minutes, day } = localTime(at, h.timeZone);
  if (!h.days.includes(day)) return true;
  return minutes < clockMinutes(h.open) || minutes >= clockMinutes(h.close);
}
