import { EXPORTS, RECORD_READS, type AuditFact } from './facts.js';
import { clockMinutes, localTimeIn, type AlertSettings } from './settings.js';

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
  'alerts-dropped',
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

/** A value a lookup has at hand (a cache hit), or a promise of it (a miss, Redis). */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Facts about people and patients that the rules need but the audit entry does not carry.
 * Each answers from ids and keyed hashes: no name is compared in clear or put in an alert.
 * An answer already known (cached) may be returned as a plain value: the rules then run
 * without a promise per question (docs/alerts.md, "Cost").
 */
export interface SubjectFacts {
  /** The person is the patient (a patient reading their own record raises nothing). */
  isSelf(userId: string, patientId: string): MaybePromise<boolean>;
  isVip(patientId: string): MaybePromise<boolean>;
  /** The person and the patient share a surname (compared by blind index). */
  sharesSurname(userId: string, patientId: string): MaybePromise<boolean>;
  /** A care relation (not an emergency grant) links the person to the patient. */
  hasCareRelation(userId: string, patientId: string): MaybePromise<boolean>;
}

/** What an add saw: the distinct members in the window, and whether this one was new to it. */
export interface WindowCount {
  size: number;
  added: boolean;
}

/**
 * Sliding-window counters, shared across instances when they live in Redis: `add` records
 * `member` under `key` at `atMs`, forgets members older than the window and answers how many
 * distinct members remain (in memory at once, from Redis as a promise).
 */
export interface WindowCounters {
  add(key: string, member: string, atMs: number, windowMs: number): MaybePromise<WindowCount>;
}

export interface RuleContext {
  settings: AlertSettings;
  counters: WindowCounters;
  subjects: SubjectFacts;
  /** A keyed hash of a network address, so an alert can name it without holding it. */
  addressRef: (ip: string) => string;
}

const MINUTE = 60_000;

/**
 * The settings turned into what the rules compare against, once per settings object rather than
 * once per entry: windows in milliseconds, clinic hours in minutes, the open days as a set, and
 * one time-zone formatter whose answer is kept per minute (building an Intl.DateTimeFormat per
 * entry was most of the rules' cost, docs/alerts.md).
 */
interface CompiledRules {
  failedLoginsMs: number;
  massExportMs: number;
  searchSweepMs: number;
  volumeMs: number;
  /** True when the minute `atMs` falls in is outside clinic hours. */
  afterHours(atMs: number): boolean;
}

const compiled = new WeakMap<AlertSettings, CompiledRules>();

export function compileRules(s: AlertSettings): CompiledRules {
  const hit = compiled.get(s);
  if (hit) return hit;
  const open = clockMinutes(s.clinicHours.open);
  const close = clockMinutes(s.clinicHours.close);
  const days = new Set(s.clinicHours.days);
  const zone = localTimeIn(s.clinicHours.timeZone);
  // Offsets change on minute boundaries at the finest, so one answer per minute is exact.
  let memoMinute = Number.NaN;
  let memo = false;
  const rules: CompiledRules = {
    failedLoginsMs: s.failedLogins.windowMinutes * MINUTE,
    massExportMs: s.massExport.windowMinutes * MINUTE,
    searchSweepMs: s.searchSweep.windowMinutes * MINUTE,
    volumeMs: s.volume.windowMinutes * MINUTE,
    afterHours(atMs) {
      const minute = Math.floor(atMs / MINUTE);
      if (minute !== memoMinute) {
        const { minutes, day } = zone(new Date(atMs));
        memo = !days.has(day) || minutes < open || minutes >= close;
        memoMinute = minute;
      }
      return memo;
    },
  };
  compiled.set(s, rules);
  return rules;
}

/**
 * Every alert one durable audit entry raises. Synchronous when every counter and subject fact
 * is at hand (memory counters, cached subjects); a promise only when one of them is not.
 */
export function evaluate(f: AuditFact, c: RuleContext): MaybePromise<AlertCandidate[]> {
  const found: AlertCandidate[] = [];
  return drive(rules(f, c, found, false), found);
}

/**
 * Feeds an entry written before this process started into the window counters only, raising
 * nothing: how a restart gets back the counts of the last window from the trail (engine.rebuild).
 */
export function recount(f: AuditFact, c: RuleContext): MaybePromise<unknown> {
  return drive(rules(f, c, [], true), undefined);
}

type Steps = Generator<unknown, void, unknown>;

/** Runs the rules' steps, waiting only on the steps that are promises. */
function drive<T>(g: Steps, result: T): MaybePromise<T> {
  let r = g.next();
  while (!r.done) {
    const v = r.value;
    if (v instanceof Promise) return resume(g, v, result);
    r = g.next(v);
  }
  return result;
}

async function resume<T>(g: Steps, first: Promise<unknown>, result: T): Promise<T> {
  let r: IteratorResult<unknown, void>;
  try {
    r = g.next(await first);
  } catch (e) {
    r = g.throw(e);
  }
  while (!r.done) {
    try {
      r = g.next(await r.value);
    } catch (e) {
      r = g.throw(e);
    }
  }
  return result;
}

function* rules(f: AuditFact, c: RuleContext, found: AlertCandidate[], replay: boolean): Steps {
  const raise = (
    rule: AlertRule,
    severity: AlertSeverity,
    subject: Partial<Pick<AlertCandidate, 'userId' | 'patientId' | 'ref'>>,
  ) => {
    if (replay) return;
    found.push({
      rule,
      severity,
      at: f.at,
      userId: subject.userId ?? null,
      patientId: subject.patientId ?? null,
      ref: subject.ref ?? null,
    });
  };
  const k = compileRules(c.settings);
  const atMs = Date.parse(f.at);
  const member = f.requestId ?? `${f.at}:${Math.random()}`;
  const s = c.settings;
  const action = f.action;
  const ok = f.outcome === 'success';

  if (ok && action === 'break-glass')
    raise('break-glass', 'high', { userId: f.actorId, patientId: f.patientId, ref: f.ref });
  if (ok && action === 'privilege-request')
    raise('privilege-request', 'high', { userId: f.actorId, ref: f.ref });
  if (ok && action === 'privilege-approve')
    raise('privilege-granted', 'high', { userId: f.actorId, ref: f.ref });

  if (action.startsWith('login') && (f.outcome === 'failure' || f.outcome === 'denied')) {
    const w = k.failedLoginsMs;
    if (f.actorId !== null) {
      const n = ((yield c.counters.add(`login:user:${f.actorId}`, member, atMs, w)) as WindowCount)
        .size;
      if (n >= s.failedLogins.perAccount)
        raise('failed-logins-account', 'medium', { userId: f.actorId });
    }
    if (f.ip !== null) {
      const ref = c.addressRef(f.ip);
      const n = ((yield c.counters.add(`login:addr:${ref}`, member, atMs, w)) as WindowCount).size;
      if (n >= s.failedLogins.perAddress) raise('failed-logins-address', 'medium', { ref });
    }
  }

  const actor = f.actorId;
  if (actor === null || (f.actorType !== 'user' && f.actorType !== 'client')) return;

  if (ok && EXPORTS.has(action)) {
    const n = (
      (yield c.counters.add(`export:${actor}`, member, atMs, k.massExportMs)) as WindowCount
    ).size;
    if (n >= s.massExport.exports || f.resources >= s.massExport.resources)
      raise('mass-export', 'high', { userId: actor });
  }
  if (ok && action === 'search') {
    // Each search counts once; varied parameters (names only) make the same total.
    const n = (
      (yield c.counters.add(`search:${actor}`, member, atMs, k.searchSweepMs)) as WindowCount
    ).size;
    if (n >= s.searchSweep.searches) raise('search-sweep', 'medium', { userId: actor });
  }

  const patient = f.patientId;
  if (!RECORD_READS.has(action) || patient === null || f.actorType !== 'user') return;
  if (f.outcome === 'denied') {
    raise('no-care-relation', 'medium', { userId: actor, patientId: patient });
    return;
  }
  if (!ok || (yield c.subjects.isSelf(actor, patient))) return;

  // Each distinct patient past the threshold counts once: opening a chart already open in the
  // window again is not another record opened, so the count does not hang on commit order.
  const seen = (yield c.counters.add(`volume:${actor}`, patient, atMs, k.volumeMs)) as WindowCount;
  if (seen.added && seen.size >= s.volume.patients) raise('volume', 'high', { userId: actor });
  if (replay) return;
  if (yield c.subjects.isVip(patient))
    raise('vip-access', 'high', { userId: actor, patientId: patient });
  if (yield c.subjects.sharesSurname(actor, patient))
    raise('same-surname', 'medium', { userId: actor, patientId: patient });
  if (!f.emergency && !(yield c.subjects.hasCareRelation(actor, patient)))
    raise('no-care-relation', 'medium', { userId: actor, patientId: patient });
  if (!f.emergency && k.afterHours(atMs)) raise('after-hours', 'low', { userId: actor });
}
