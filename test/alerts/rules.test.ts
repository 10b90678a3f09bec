import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AlertEngine,
  DEFAULT_ALERT_SETTINGS,
  MemoryWindowCounters,
  type AlertSettings,
} from '../../src/alerts/index.js';
import {
  AlertRepository,
  openDatabase,
  type AlertRow,
  type Database,
} from '../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';
import { MINUTE, TestClock } from '../http/auth/sign-in.js';
import { ClinicFacts, fact } from './rule-harness.js';

// Tuesday 2031-05-06 07:00 UTC: inside clinic hours.
const settings: AlertSettings = {
  ...DEFAULT_ALERT_SETTINGS,
  volume: { patients: 20, windowMinutes: 10 },
  failedLogins: { perAccount: 5, perAddress: 8, windowMinutes: 15 },
  clinicHours: { open: '07:00', close: '19:00', days: [1, 2, 3, 4, 5], timeZone: 'UTC' },
  massExport: { exports: 3, resources: 500, windowMinutes: 60 },
  searchSweep: { searches: 15, windowMinutes: 10 },
};

describe.each(ENGINES)('anomaly rules stored on %s', (engineName) => {
  let target: EngineTarget;
  let database: Database;
  let repo: AlertRepository;
  let clinic: ClinicFacts;
  let engine: AlertEngine;
  let delivered: AlertRow[];
  let clock: TestClock;
  let n = 0;

  beforeAll(async () => {
    target = await makeTarget(engineName);
    database = await openDatabase({
      databaseUrl: target.databaseUrl,
      schema: target.schema,
      sqlitePath: path.join(target.dataDir, 'haven.db'),
    });
    repo = new AlertRepository(database.db);
  }, 60_000);
  afterAll(async () => {
    await database.close();
    await target.cleanup();
  });

  beforeEach(() => {
    // Each test its own users and a later week, so the dedup windows of tests never meet.
    clock = new TestClock();
    clock.advance(n++ * 7 * 24 * 60 * MINUTE);
    clinic = new ClinicFacts();
    delivered = [];
    engine = new AlertEngine({
      settings,
      counters: new MemoryWindowCounters(),
      subjects: clinic,
      addressRef: (ip) => `addr:${ip.length}`,
      store: repo,
      newId: () => `a-${Math.random().toString(36).slice(2)}`,
      deliver: (a) => delivered.push(a),
      onError: (code) => {
        throw new Error(code);
      },
    });
  });

  const at = () => clock.now.toISOString();
  const alertsOf = async (rule: string, since = at()) =>
    (await repo.list({ rule, limit: 100 })).filter((a) => a.firstSeen >= since.slice(0, 10));

  it('volume: the Nth distinct patient in the window raises one alert; fewer do not', async () => {
    const start = at();
    for (let i = 0; i < 19; i++) {
      clinic.relate('u-vol', `p-${i}`);
      // Re-reading a patient does not count twice.
      engine.observe([fact({ at: at(), action: 'read', actorId: 'u-vol', patientId: `p-${i}` })]);
      engine.observe([fact({ at: at(), action: 'read', actorId: 'u-vol', patientId: `p-${i}` })]);
      clock.advance(10_000);
    }
    await engine.idle();
    expect(await alertsOf('volume', start)).toHaveLength(0);
    clinic.relate('u-vol', 'p-19');
    engine.observe([fact({ at: at(), action: 'read', actorId: 'u-vol', patientId: 'p-19' })]);
    clinic.relate('u-vol', 'p-20');
    engine.observe([fact({ at: at(), action: 'read', actorId: 'u-vol', patientId: 'p-20' })]);
    await engine.idle();
    const [alert, ...more] = await alertsOf('volume', start);
    expect(more).toHaveLength(0);
    expect(alert).toMatchObject({ userId: 'u-vol', count: 2, status: 'open', patientId: null });
    expect(delivered.filter((a) => a.rule === 'volume')).toHaveLength(1);
  });

  it('volume: reads spread beyond the window do not add up', async () => {
    const start = at();
    for (let i = 0; i < 40; i++) {
      clinic.relate('u-slow', `s-${i}`);
      engine.observe([fact({ at: at(), action: 'read', actorId: 'u-slow', patientId: `s-${i}` })]);
      clock.advance(MINUTE); // 10 per window, threshold 20
    }
    await engine.idle();
    expect(await alertsOf('volume', start)).toHaveLength(0);
  });

  it('vip-access: a read of a VIP chart alerts, a read of another does not', async () => {
    const start = at();
    clinic.vips.add('p-vip');
    clinic.relate('u-doc', 'p-vip');
    clinic.relate('u-doc', 'p-plain');
    engine.observe([fact({ at: at(), action: 'read', actorId: 'u-doc', patientId: 'p-plain' })]);
    engine.observe([fact({ at: at(), action: 'read', actorId: 'u-doc', patientId: 'p-vip' })]);
    await engine.idle();
    const found = await alertsOf('vip-access', start);
    expect(found.map((a) => [a.userId, a.patientId])).toEqual([['u-doc', 'p-vip']]);
  });

  it('same-surname: only the patient sharing the clinician surname token', async () => {
    const start = at();
    clinic.surnames.set('u-sur', 'tok-1').set('p-kin', 'tok-1').set('p-other', 'tok-2');
    clinic.relate('u-sur', 'p-kin');
    clinic.relate('u-sur', 'p-other');
    engine.observe([fact({ at: at(), action: 'read', actorId: 'u-sur', patientId: 'p-other' })]);
    engine.observe([fact({ at: at(), action: 'read', actorId: 'u-sur', patientId: 'p-kin' })]);
    await engine.idle();
    const found = await alertsOf('same-surname', start);
    expect(found.map((a) => a.patientId)).toEqual(['p-kin']);
  });

  it('break-glass: every grant, with its id as the reference', async () => {
    const start = at();
    engine.observe([
      fact({ at: at(), action: 'break-glass', actorId: 'u-bg', patientId: 'p-1', ref: 'g-1' }),
      fact({ at: at(), action: 'break-glass', actorId: 'u-bg', patientId: 'p-2', ref: 'g-2' }),
      fact({
        at: at(),
        action: 'break-glass',
        outcome: 'denied',
        actorId: 'u-bg',
        patientId: 'p-3',
      }),
    ]);
    await engine.idle();
    const found = await alertsOf('break-glass', start);
    expect(found.map((a) => a.ref).sort()).toEqual(['g-1', 'g-2']);
  });

  it('failed logins: per account and per address, each at its own threshold', async () => {
    const start = at();
    for (let i = 0; i < 4; i++)
      engine.observe([
        fact({
          at: at(),
          action: 'login-password',
          outcome: 'failure',
          actorId: 'u-acct',
          ip: '192.0.2.1',
        }),
      ]);
    await engine.idle();
    expect(await alertsOf('failed-logins-account', start)).toHaveLength(0);
    engine.observe([
      fact({
        at: at(),
        action: 'login-totp',
        outcome: 'failure',
        actorId: 'u-acct',
        ip: '192.0.2.1',
      }),
    ]);
    // A spray: one address, many accounts (and unknown ones with no actor).
    for (let i = 0; i < 3; i++)
      engine.observe([
        fact({
          at: at(),
          action: 'login-password',
          outcome: 'failure',
          actorId: null,
          ip: '192.0.2.1',
        }),
      ]);
    await engine.idle();
    expect((await alertsOf('failed-logins-account', start)).map((a) => a.userId)).toEqual([
      'u-acct',
    ]);
    const byAddress = await alertsOf('failed-logins-address', start);
    expect(byAddress).toHaveLength(1);
    expect(byAddress[0]!.ref).toBe('addr:9');
    expect(JSON.stringify(byAddress)).not.toContain('192.0.2.1');
  });

  it('after-hours: a read at 22:00 or on Sunday alerts, one at 10:00 on Tuesday does not', async () => {
    const start = at();
    clinic.relate('u-late', 'p-1');
    const day = new Date(clock.now);
    day.setUTCHours(10, 0, 0, 0);
    const iso = (d: Date, h: number, plusDays = 0) =>
      new Date(
        Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + plusDays, h),
      ).toISOString();
    engine.observe([
      fact({ at: iso(day, 10), action: 'read', actorId: 'u-late', patientId: 'p-1' }),
    ]);
    await engine.idle();
    expect(await alertsOf('after-hours', start)).toHaveLength(0);
    engine.observe([
      fact({ at: iso(day, 22), action: 'read', actorId: 'u-late', patientId: 'p-1' }),
    ]);
    await engine.idle();
    expect(await alertsOf('after-hours', start)).toHaveLength(1);
    // The same reads under break-glass are the break-glass rule's business, not this one's.
    engine.observe([
      fact({
        at: iso(day, 23),
        action: 'read',
        actorId: 'u-eme',
        patientId: 'p-1',
        emergency: true,
      }),
    ]);
    await engine.idle();
    expect((await alertsOf('after-hours', start)).map((a) => a.userId)).toEqual(['u-late']);
  });

  it('after-hours follows the configured time zone', async () => {
    const local = new AlertEngine({
      settings: {
        ...settings,
        clinicHours: { ...settings.clinicHours, timeZone: 'America/New_York' },
      },
      counters: new MemoryWindowCounters(),
      subjects: clinic,
      addressRef: (ip) => ip,
      store: repo,
      newId: () => `a-${Math.random().toString(36).slice(2)}`,
      deliver: () => undefined,
      onError: (code) => {
        throw new Error(code);
      },
    });
    const start = at();
    clinic.relate('u-ny', 'p-1');
    // 09:00 UTC on a Tuesday is 05:00 in New York: before opening.
    const d = new Date(clock.now);
    const t = new Date(
      Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 9),
    ).toISOString();
    local.observe([fact({ at: t, action: 'read', actorId: 'u-ny', patientId: 'p-1' })]);
    await local.idle();
    expect((await alertsOf('after-hours', start)).map((a) => a.userId)).toEqual(['u-ny']);
  });

  it('no-care-relation: a read without a relation, and a denied read, alert; emergency and own record do not', async () => {
    const start = at();
    clinic.relate('u-care', 'p-mine');
    clinic.selves.set('u-pat', 'p-self');
    engine.observe([
      fact({ at: at(), action: 'read', actorId: 'u-care', patientId: 'p-mine' }),
      fact({ at: at(), action: 'read', actorId: 'u-pat', patientId: 'p-self' }),
      fact({ at: at(), action: 'read', actorId: 'u-care', patientId: 'p-eme', emergency: true }),
      fact({ at: at(), action: 'read', actorId: 'u-care', patientId: 'p-stranger' }),
      fact({
        at: at(),
        action: 'read',
        outcome: 'denied',
        actorId: 'u-care',
        patientId: 'p-refused',
      }),
    ]);
    await engine.idle();
    const found = await alertsOf('no-care-relation', start);
    expect(found.map((a) => a.patientId).sort()).toEqual(['p-refused', 'p-stranger']);
  });

  it('mass export: many exports in the window, or one big one', async () => {
    const start = at();
    engine.observe([fact({ at: at(), action: 'export', actorId: 'u-exp', resources: 20 })]);
    engine.observe([fact({ at: at(), action: 'export', actorId: 'u-exp', resources: 20 })]);
    await engine.idle();
    expect(await alertsOf('mass-export', start)).toHaveLength(0);
    engine.observe([fact({ at: at(), action: 'export', actorId: 'u-exp', resources: 20 })]);
    engine.observe([fact({ at: at(), action: 'export', actorId: 'u-big', resources: 900 })]);
    await engine.idle();
    expect((await alertsOf('mass-export', start)).map((a) => a.userId).sort()).toEqual([
      'u-big',
      'u-exp',
    ]);
  });

  it('search sweep: many searches in the window alert, the same spread out do not', async () => {
    const start = at();
    for (let i = 0; i < 14; i++) {
      engine.observe([
        fact({
          at: at(),
          action: 'search',
          actorId: 'u-sweep',
          searchParams: [i % 2 ? 'name' : 'birthdate'],
        }),
      ]);
      engine.observe([fact({ at: at(), action: 'search', actorId: 'u-calm' })]);
      clock.advance(5_000);
    }
    await engine.idle();
    expect(await alertsOf('search-sweep', start)).toHaveLength(0);
    engine.observe([
      fact({ at: at(), action: 'search', actorId: 'u-sweep', searchParams: ['family'] }),
    ]);
    clock.advance(11 * MINUTE);
    engine.observe([fact({ at: at(), action: 'search', actorId: 'u-calm' })]);
    await engine.idle();
    expect((await alertsOf('search-sweep', start)).map((a) => a.userId)).toEqual(['u-sweep']);
  });

  it('de-duplicates per rule and subject within the window, and parallel sightings make one row', async () => {
    const start = at();
    clinic.vips.add('p-v');
    clinic.relate('u-par', 'p-v');
    // Two engines (two instances) on one store, the same sighting at once.
    const other = new AlertEngine({
      settings,
      counters: new MemoryWindowCounters(),
      subjects: clinic,
      addressRef: (ip) => ip,
      store: repo,
      newId: () => `b-${Math.random().toString(36).slice(2)}`,
      deliver: (a) => delivered.push(a),
      onError: (code) => {
        throw new Error(code);
      },
    });
    const read = () => fact({ at: at(), action: 'read', actorId: 'u-par', patientId: 'p-v' });
    for (let i = 0; i < 10; i++) {
      engine.observe([read()]);
      other.observe([read()]);
    }
    await Promise.all([engine.idle(), other.idle()]);
    const found = await alertsOf('vip-access', start);
    expect(found).toHaveLength(1);
    expect(found[0]!.count).toBe(20);
    expect(delivered.filter((a) => a.rule === 'vip-access')).toHaveLength(1);
    // After the dedup window a new sighting is a new alert.
    clock.advance(settings.dedupMinutes * MINUTE);
    engine.observe([read()]);
    await engine.idle();
    expect(await alertsOf('vip-access', start)).toHaveLength(2);
  });

  it('acknowledges once: the second acknowledgement of the same alert is refused', async () => {
    engine.observe([
      fact({ at: at(), action: 'break-glass', actorId: 'u-ack', patientId: 'p', ref: 'g-ack' }),
    ]);
    await engine.idle();
    const [a] = await repo.list({ rule: 'break-glass', userId: 'u-ack', limit: 5 });
    const results = await Promise.all([
      repo.acknowledge(a!.id, 'u-aud1', at(), 'reviewed: expected emergency'),
      repo.acknowledge(a!.id, 'u-aud2', at(), 'also reviewed'),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const after = await repo.find(a!.id);
    expect(after).toMatchObject({ status: 'acknowledged' });
    expect(['u-aud1', 'u-aud2']).toContain(after!.ackBy);
    expect((await repo.list({ status: 'open', userId: 'u-ack', limit: 5 })).length).toBe(0);
  });
});
