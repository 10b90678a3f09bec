import crypto from 'node:crypto';
import {
  AlertEngine,
  DEFAULT_ALERT_SETTINGS,
  MemoryWindowCounters,
  type AlertRule,
  type AlertSettings,
  type AlertStore,
  type AuditFact,
  type SubjectFacts,
} from '../src/alerts/index.js';
import type { AlertRow, NewAlert } from '../src/store/index.js';

/**
 * A synthetic month of clinic activity as the audit stream would carry it, with snooping
 * scenarios injected per rule, replayed through the real rules engine (issue 18, ADR 0030).
 * Deterministic: a seeded generator, so the figures in docs/alerts.md can be reproduced.
 */
export interface MonthOptions {
  days: number;
  clinicians: number;
  panel: number;
  /** Times each scenario is injected (by a different clinician on a different day). */
  scenariosPerRule: number;
  seed: number;
  settings?: AlertSettings;
}

export const FULL_MONTH: MonthOptions = {
  days: 30,
  clinicians: 40,
  panel: 150,
  scenariosPerRule: 5,
  seed: 18,
};

interface Scenario {
  rule: AlertRule;
  /** Other rules the same snooping legitimately trips (true positives there too). */
  also: AlertRule[];
  subject: string;
  start: number;
  end: number;
}

export interface RuleScore {
  rule: AlertRule;
  injected: number;
  detected: number;
  alerts: number;
  truePositives: number;
  recall: number;
  precision: number;
}

export interface MonthResult {
  facts: number;
  normalFacts: number;
  scores: RuleScore[];
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
// Monday 3 March 2031, 00:00 UTC.
const MONTH_START = Date.UTC(2031, 2, 3);

class Rng {
  constructor(private s: number) {}
  next(): number {
    // mulberry32
    let t = (this.s += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

class Clinic implements SubjectFacts {
  readonly care = new Set<string>();
  readonly vips = new Set<string>();
  readonly surnames = new Map<string, string>();
  isSelf = () => Promise.resolve(false);
  isVip = (p: string) => Promise.resolve(this.vips.has(p));
  sharesSurname = (u: string, p: string) =>
    Promise.resolve(
      this.surnames.get(u) !== undefined && this.surnames.get(u) === this.surnames.get(p),
    );
  hasCareRelation = (u: string, p: string) => Promise.resolve(this.care.has(`${u}|${p}`));
}

class MemoryStore implements AlertStore {
  readonly rows = new Map<string, AlertRow>();
  record(a: NewAlert): Promise<{ row: AlertRow; created: boolean }> {
    const hit = this.rows.get(a.dedupKey);
    if (hit) {
      hit.count++;
      hit.lastSeen = a.at;
      return Promise.resolve({ row: hit, created: false });
    }
    const row: AlertRow = {
      id: a.id,
      rule: a.rule,
      severity: a.severity,
      userId: a.userId,
      patientId: a.patientId,
      ref: a.ref,
      firstSeen: a.at,
      lastSeen: a.at,
      count: 1,
      status: 'open',
      ackBy: null,
      ackAt: null,
      ackComment: null,
    };
    this.rows.set(a.dedupKey, row);
    return Promise.resolve({ row, created: true });
  }
}

export async function runMonth(o: MonthOptions): Promise<MonthResult> {
  const rng = new Rng(o.seed);
  const settings = o.settings ?? DEFAULT_ALERT_SETTINGS;
  const clinic = new Clinic();
  const clinicians = Array.from({ length: o.clinicians }, (_, i) => `u-clin-${i}`);
  const patients: string[] = [];
  const panels = new Map<string, string[]>();
  clinicians.forEach((u, i) => {
    clinic.surnames.set(u, `staff-surname-${i}`);
    const panel = Array.from({ length: o.panel }, (_, j) => `p-${i}-${j}`);
    for (const p of panel) {
      clinic.care.add(`${u}|${p}`);
      clinic.surnames.set(p, `patient-surname-${rng.int(5000)}`);
      patients.push(p);
    }
    panels.set(u, panel);
  });
  const facts: AuditFact[] = [];
  const fact = (at: number, f: Partial<AuditFact> & Pick<AuditFact, 'action'>): void => {
    facts.push({
      at: new Date(at).toISOString(),
      actorType: 'user',
      actorId: null,
      outcome: 'success',
      resourceType: 'Patient',
      patientId: null,
      ip: '10.1.0.1',
      requestId: crypto.randomUUID(),
      emergency: false,
      ref: null,
      searchParams: [],
      denial: null,
      resources: 0,
      ...f,
    });
  };

  // Ordinary work: weekday shifts inside clinic hours, reads of one's own panel, searches,
  // a weekly small export, the odd mistyped password.
  for (let d = 0; d < o.days; d++) {
    const day = MONTH_START + d * DAY;
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (const u of clinicians) {
      const panel = panels.get(u)!;
      const shiftStart = day + (8 * 60 + rng.int(60)) * MINUTE;
      const shiftLength = (8 * 60 + rng.int(60)) * MINUTE;
      const at = () => shiftStart + rng.int(shiftLength);
      const ip = `10.1.${clinicians.indexOf(u) % 250}.${1 + rng.int(3)}`;
      if (rng.next() < 0.15)
        fact(shiftStart - MINUTE, { action: 'login-password', outcome: 'failure', actorId: u, ip });
      fact(shiftStart, { action: 'login-password', actorId: u, ip });
      for (let k = 0, n = 20 + rng.int(40); k < n; k++)
        fact(at(), { action: 'read', actorId: u, patientId: panel[rng.int(panel.length)]!, ip });
      for (let k = 0, n = 5 + rng.int(15); k < n; k++)
        fact(at(), {
          action: 'search',
          actorId: u,
          ip,
          searchParams: [['name'], ['birthdate'], ['identifier'], ['name', 'birthdate']][
            rng.int(4)
          ]!,
        });
      if (weekday === 5 && rng.next() < 0.3)
        fact(at(), { action: 'export', actorId: u, ip, resources: 20 + rng.int(80) });
    }
  }
  const normalFacts = facts.length;

  // Injected snooping: each rule by different clinicians on different days.
  const scenarios: Scenario[] = [];
  const vips = Array.from({ length: o.scenariosPerRule }, (_, i) => `p-vip-${i}`);
  for (const v of vips) clinic.vips.add(v);
  const weekdays = Array.from({ length: o.days }, (_, d) => MONTH_START + d * DAY).filter(
    (t) => ![0, 6].includes(new Date(t).getUTCDay()),
  );
  let slot = 0;
  const pick = () => {
    const u = clinicians[slot % clinicians.length]!;
    const day = weekdays[(slot * 7) % weekdays.length]!;
    slot++;
    return { u, day, ip: `10.1.${clinicians.indexOf(u) % 250}.1` };
  };
  const inject = (
    rule: AlertRule,
    also: AlertRule[],
    subject: string,
    start: number,
    end: number,
  ) => scenarios.push({ rule, also, subject, start, end });
  for (let i = 0; i < o.scenariosPerRule; i++) {
    {
      const { u, day, ip } = pick();
      const t0 = day + 11 * 60 * MINUTE;
      const others = patients.filter((p) => !clinic.care.has(`${u}|${p}`));
      const n = settings.volume.patients + 20;
      for (let k = 0; k < n; k++)
        fact(t0 + Math.floor((k * 8 * MINUTE) / n), {
          action: 'read',
          actorId: u,
          ip,
          patientId: others[(k + i * 13) % others.length]!,
        });
      inject('volume', ['no-care-relation'], u, t0, t0 + 8 * MINUTE);
    }
    {
      const { u, day, ip } = pick();
      const t0 = day + 10 * 60 * MINUTE;
      fact(t0, { action: 'read', actorId: u, ip, patientId: vips[i]! });
      inject('vip-access', ['no-care-relation'], u, t0, t0);
    }
    {
      const { u, day, ip } = pick();
      const t0 = day + 14 * 60 * MINUTE;
      const kin = `p-kin-${i}`;
      clinic.surnames.set(kin, clinic.surnames.get(u)!);
      clinic.care.add(`${u}|${kin}`); // on their own panel: only the surname gives it away
      fact(t0, { action: 'read', actorId: u, ip, patientId: kin });
      inject('same-surname', [], u, t0, t0);
    }
    {
      const { u, day, ip } = pick();
      const t0 = day + 9 * 60 * MINUTE;
      const p = patients[rng.int(patients.length)]!;
      fact(t0, { action: 'break-glass', actorId: u, ip, patientId: p, ref: `g-${i}` });
      fact(t0 + MINUTE, { action: 'read', actorId: u, ip, patientId: p, emergency: true });
      inject('break-glass', [], u, t0, t0);
    }
    {
      const { u, day } = pick();
      const t0 = day + 12 * 60 * MINUTE;
      const n = settings.failedLogins.perAccount + 3;
      for (let k = 0; k < n; k++)
        fact(t0 + k * 20_000, {
          action: 'login-password',
          outcome: 'failure',
          actorId: u,
          ip: `198.51.100.${i}`,
        });
      inject('failed-logins-account', [], u, t0, t0 + n * 20_000);
    }
    {
      const { day } = pick();
      const t0 = day + 13 * 60 * MINUTE;
      const ip = `203.0.113.${i}`;
      const n = settings.failedLogins.perAddress + 10;
      for (let k = 0; k < n; k++)
        fact(t0 + k * 10_000, {
          action: 'login-password',
          outcome: 'failure',
          actorType: 'anonymous',
          actorId: null,
          ip,
        });
      inject('failed-logins-address', [], `addr:${ip}`, t0, t0 + n * 10_000);
    }
    {
      const { u, day, ip } = pick();
      const t0 = day + (23 * 60 + 30) * MINUTE;
      fact(t0, { action: 'read', actorId: u, ip, patientId: panels.get(u)![0]! });
      inject('after-hours', [], u, t0, t0);
    }
    {
      const { u, day, ip } = pick();
      const t0 = day + 15 * 60 * MINUTE;
      const stranger = patients.find((p) => !clinic.care.has(`${u}|${p}`))!;
      fact(t0, { action: 'read', actorId: u, ip, patientId: stranger });
      inject('no-care-relation', [], u, t0, t0);
    }
    {
      const { u, day, ip } = pick();
      const t0 = day + 16 * 60 * MINUTE;
      const n = settings.massExport.exports + 2;
      for (let k = 0; k < n; k++)
        fact(t0 + k * 2 * MINUTE, { action: 'export', actorId: u, ip, resources: 50 });
      inject('mass-export', [], u, t0, t0 + n * 2 * MINUTE);
    }
    {
      const { u, day, ip } = pick();
      const t0 = day + 10 * 60 * MINUTE;
      const n = settings.searchSweep.searches + 20;
      for (let k = 0; k < n; k++)
        fact(t0 + Math.floor((k * 8 * MINUTE) / n), {
          action: 'search',
          actorId: u,
          ip,
          searchParams: [
            ['name'],
            ['birthdate'],
            ['identifier'],
            ['address-postalcode'],
            ['phone'],
          ][k % 5]!,
        });
      inject('search-sweep', [], u, t0, t0 + 8 * MINUTE);
    }
  }

  facts.sort((a, b) => a.at.localeCompare(b.at));
  const store = new MemoryStore();
  const errors: string[] = [];
  const engine = new AlertEngine({
    settings,
    counters: new MemoryWindowCounters(),
    subjects: clinic,
    addressRef: (ip) => `addr:${ip}`,
    store,
    newId: () => crypto.randomUUID(),
    deliver: () => undefined,
    onError: (code) => errors.push(code),
  });
  for (let i = 0; i < facts.length; i += 1000) {
    engine.observe(facts.slice(i, i + 1000));
    await engine.idle();
  }
  if (errors.length > 0) throw new Error(`the engine reported ${errors[0]}`);
  return { facts: facts.length, normalFacts, scores: score(store, scenarios, settings) };
}

function score(store: MemoryStore, scenarios: Scenario[], s: AlertSettings): RuleScore[] {
  const alerts = [...store.rows.values()];
  const slack = s.dedupMinutes * MINUTE;
  const subjectOf = (a: AlertRow) => (a.rule === 'failed-logins-address' ? a.ref : a.userId);
  const explains = (sc: Scenario, a: AlertRow, rule: string) => {
    const t = Date.parse(a.firstSeen);
    return subjectOf(a) === sc.subject && t >= sc.start && t <= sc.end + slack && rule === a.rule;
  };
  const rules = [...new Set(scenarios.map((sc) => sc.rule))];
  return rules.map((rule) => {
    const own = scenarios.filter((sc) => sc.rule === rule);
    const ofRule = alerts.filter((a) => a.rule === rule);
    const detected = own.filter((sc) => ofRule.some((a) => explains(sc, a, rule))).length;
    const truePositives = ofRule.filter((a) =>
      scenarios.some((sc) => (sc.rule === rule || sc.also.includes(rule)) && explains(sc, a, rule)),
    ).length;
    return {
      rule,
      injected: own.length,
      detected,
      alerts: ofRule.length,
      truePositives,
      recall: own.length === 0 ? 1 : detected / own.length,
      precision: ofRule.length === 0 ? 1 : truePositives / ofRule.length,
    };
  });
}
