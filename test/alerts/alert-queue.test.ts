// The engine's bounded queue and its windows on the injected clock (ADR 0030, "Cost").
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertEngine,
  DEFAULT_ALERT_SETTINGS,
  MemoryWindowCounters,
  STORE_SIGHTINGS_EVERY_MS,
  evaluate,
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

const settings: AlertSettings = {
  ...DEFAULT_ALERT_SETTINGS,
  volume: { patients: 3, windowMinutes: 10 },
  clinicHours: { open: '07:00', close: '19:00', days: [1, 2, 3, 4, 5], timeZone: 'UTC' },
};

/** An engine whose store counts its writes (and keeps the last one, to wait for it). */
function countingEngine(repo: AlertRepository, clinic: ClinicFacts, clock?: () => Date) {
  const delivered: AlertRow[] = [];
  const counted = {
    writes: 0,
    lastWrite: Promise.resolve() as Promise<unknown>,
    delivered,
    engine: new AlertEngine({
      settings,
      counters: new MemoryWindowCounters(),
      subjects: clinic,
      addressRef: (ip) => ip,
      store: {
        record: (a) => {
          counted.writes++;
          const w = repo.record(a);
          counted.lastWrite = w;
          return w;
        },
      },
      newId: () => `c-${Math.random().toString(36).slice(2)}`,
      deliver: (a) => delivered.push(a),
      onError: (code) => {
        throw new Error(code);
      },
      ...(clock && { clock }),
    }),
  };
  return counted;
}

describe.each(ENGINES)('alert engine queue on %s', (engineName) => {
  let target: EngineTarget;
  let database: Database;
  let repo: AlertRepository;

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

  it('a full queue refuses the batch, counts it, reports it and stores one alerts-dropped alert', async () => {
    const clock = new TestClock();
    clock.advance(3 * 24 * 60 * MINUTE);
    const clinic = new ClinicFacts();
    clinic.vips.add('p-v');
    clinic.relate('u-q', 'p-v');
    const delivered: AlertRow[] = [];
    const drops: number[] = [];
    const errors: string[] = [];
    // The deferred evaluation runs when the test says, so the queue can be seen full.
    const deferred: (() => void)[] = [];
    const engine = new AlertEngine({
      settings,
      counters: new MemoryWindowCounters(),
      subjects: clinic,
      addressRef: (ip) => ip,
      store: repo,
      newId: () => `q-${Math.random().toString(36).slice(2)}`,
      deliver: (a) => delivered.push(a),
      onError: (code) => errors.push(code),
      onDrop: (n) => drops.push(n),
      maxBacklog: 3,
      clock: clock.fn,
      defer: (run) => deferred.push(run),
    });
    const read = () =>
      fact({ at: clock.now.toISOString(), action: 'read', actorId: 'u-q', patientId: 'p-v' });

    engine.observe([read(), read()]);
    expect(engine.waiting).toBe(2);
    // Nothing ran yet: observe returned at once and left the work for later.
    expect(deferred).toHaveLength(1);
    engine.observe([read(), read()]); // 2 + 2 > 3: refused
    engine.observe([read()]); // 2 + 1 fits
    expect(engine.waiting).toBe(3);
    expect(engine.dropped).toBe(2);
    expect(drops).toEqual([2]);
    expect(errors).toEqual(['alert-backlog-full']);

    deferred.shift()!();
    await engine.idle();
    const dropped = (await repo.list({ rule: 'alerts-dropped', limit: 10 })).filter(
      (a) => a.firstSeen === clock.now.toISOString(),
    );
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.severity).toBe('high');
    expect(delivered.map((a) => a.rule)).toContain('alerts-dropped');
    // The three facts that fitted were all evaluated: one VIP alert counting three sightings.
    const vip = (await repo.list({ rule: 'vip-access', limit: 10 })).filter(
      (a) => a.userId === 'u-q',
    );
    expect(vip).toHaveLength(1);
    expect(vip[0]!.count).toBe(3);

    // A second overflow in the same window adds to the same alert, not a new one.
    engine.observe([read(), read(), read(), read()]);
    await engine.idle();
    expect(engine.dropped).toBe(6);
    const again = (await repo.list({ rule: 'alerts-dropped', limit: 10 })).filter(
      (a) => a.id === dropped[0]!.id,
    );
    expect(again[0]!.count).toBe(2);
  });

  it('repeated sightings of one alert are folded into one write, and none is lost', async () => {
    const clock = new TestClock();
    // A Saturday, 22:00 UTC: every read is after hours.
    clock.advance(5 * 24 * 60 * MINUTE + 22 * 60 * MINUTE);
    const clinic = new ClinicFacts();
    clinic.relate('u-night', 'p-n');
    const counted = countingEngine(repo, clinic);
    const { engine, delivered } = counted;
    const first = clock.now.toISOString();
    // 300 reads of one chart in three commit batches of 100, observed back to back.
    for (let b = 0; b < 3; b++) {
      engine.observe(
        Array.from({ length: 100 }, () => {
          clock.advance(1000);
          return fact({
            at: clock.now.toISOString(),
            action: 'read',
            actorId: 'u-night',
            patientId: 'p-n',
          });
        }),
      );
    }
    const last = clock.now.toISOString();
    await engine.idle();
    const rows = (await repo.list({ rule: 'after-hours', limit: 10 })).filter(
      (a) => a.userId === 'u-night',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.count).toBe(300);
    expect(rows[0]!.firstSeen).toBe(new Date(Date.parse(first) + 1000).toISOString());
    expect(rows[0]!.lastSeen).toBe(last);
    // Evaluated in one pass: one write for the after-hours alert, not one per read.
    expect(counted.writes).toBe(1);
    expect(delivered.filter((a) => a.rule === 'after-hours')).toHaveLength(1);

    // Later sightings add to the same row, with one more write.
    engine.observe([
      fact({ at: clock.now.toISOString(), action: 'read', actorId: 'u-night', patientId: 'p-n' }),
    ]);
    await engine.idle();
    expect(counted.writes).toBe(2);
    const again = (await repo.list({ rule: 'after-hours', limit: 10 })).filter(
      (a) => a.userId === 'u-night',
    );
    expect(again[0]!.count).toBe(301);
    expect(delivered.filter((a) => a.rule === 'after-hours')).toHaveLength(1);
  });

  it('more sightings of a stored alert are held for a while on the application clock, then stored in one write; idle() stores what is held', async () => {
    const clock = new TestClock();
    // A Saturday, 23:00 UTC: every read is after hours.
    clock.advance(5 * 24 * 60 * MINUTE + 23 * 60 * MINUTE);
    const clinic = new ClinicFacts();
    clinic.relate('u-late', 'p-l');
    const counted = countingEngine(repo, clinic, clock.fn);
    const { engine } = counted;
    const reads = (n: number) =>
      Array.from({ length: n }, () => {
        clock.advance(10);
        return fact({
          at: clock.now.toISOString(),
          action: 'read',
          actorId: 'u-late',
          patientId: 'p-l',
        });
      });
    // Every answer is at hand: a pass waits only on a write, so once the facts are evaluated
    // and the last write has settled, the pass is over.
    const passes = async () => {
      for (let i = 0; i < 100 && (engine.waiting > 0 || i < 3); i++) {
        await new Promise((r) => setImmediate(r));
        await counted.lastWrite;
      }
      await new Promise((r) => setImmediate(r));
    };
    const stored = async () =>
      (await repo.list({ rule: 'after-hours', limit: 10 })).filter((a) => a.userId === 'u-late');

    engine.observe(reads(1));
    await passes();
    expect(counted.writes).toBe(1); // a new alert is stored at once
    for (let b = 0; b < 5; b++) {
      engine.observe(reads(20));
      await passes();
    }
    // Five more commit batches within the hold: nothing written, 100 sightings held.
    expect(counted.writes).toBe(1);
    expect(engine.held).toBe(100);
    expect((await stored())[0]!.count).toBe(1);

    clock.advance(STORE_SIGHTINGS_EVERY_MS);
    engine.observe(reads(1));
    await passes();
    expect(counted.writes).toBe(2);
    expect(engine.held).toBe(0);
    expect((await stored())[0]!.count).toBe(102);

    engine.observe(reads(7));
    await passes();
    expect(counted.writes).toBe(2);
    await engine.idle();
    expect(counted.writes).toBe(3);
    expect(engine.held).toBe(0);
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.count).toBe(109);
    expect(rows[0]!.lastSeen).toBe(clock.now.toISOString());
  });

  it('facts are evaluated in commit order after observe returns, batch after batch', async () => {
    const clock = new TestClock();
    clock.advance(4 * 24 * 60 * MINUTE);
    const clinic = new ClinicFacts();
    const engine = new AlertEngine({
      settings,
      counters: new MemoryWindowCounters(),
      subjects: clinic,
      addressRef: (ip) => ip,
      store: repo,
      newId: () => `o-${Math.random().toString(36).slice(2)}`,
      deliver: () => undefined,
      onError: (code) => {
        throw new Error(code);
      },
    });
    for (let i = 0; i < 5; i++) {
      clinic.relate('u-o', `p-o${i}`);
      engine.observe([
        fact({ at: clock.now.toISOString(), action: 'read', actorId: 'u-o', patientId: `p-o${i}` }),
      ]);
    }
    // Deferred: nothing is evaluated until the event loop turns.
    expect(engine.waiting).toBe(5);
    await engine.idle();
    expect(engine.waiting).toBe(0);
    const volume = (await repo.list({ rule: 'volume', limit: 10 })).filter(
      (a) => a.userId === 'u-o',
    );
    expect(volume).toHaveLength(1);
    expect(volume[0]!.count).toBe(3);
  });
});

describe('alert windows on the injected clock', () => {
  it('a window slides with the entries’ time, not the machine’s', () => {
    const clock = new TestClock();
    const counters = new MemoryWindowCounters();
    const add = (member: string) =>
      counters.add('k', member, clock.now.getTime(), 10 * MINUTE).size;
    expect(add('a')).toBe(1);
    clock.advance(4 * MINUTE);
    expect(add('b')).toBe(2);
    clock.advance(4 * MINUTE);
    expect(add('c')).toBe(3);
    // 'a' is 10 minutes old exactly: out of the window.
    clock.advance(2 * MINUTE);
    expect(add('d')).toBe(3);
    // Seeing 'b' again moves it to now: once 'c' expires, 'd', 'b' and 'e' remain.
    expect(add('b')).toBe(3);
    clock.advance(9 * MINUTE);
    expect(add('e')).toBe(3);
    // Past every member's window the key is forgotten.
    clock.advance(60 * MINUTE);
    expect(add('f')).toBe(1);
    expect(counters.keys).toBe(1);
  });

  it('a clock set back keeps the count exact (the entries arrive out of order)', () => {
    const clock = new TestClock();
    const counters = new MemoryWindowCounters();
    const t0 = clock.now.getTime();
    const w = 10 * MINUTE;
    expect(counters.add('k', 'late', t0 + 9 * MINUTE, w).size).toBe(1);
    expect(counters.add('k', 'early', t0, w).size).toBe(2);
    expect(counters.add('k', 'mid', t0 + 5 * MINUTE, w).size).toBe(3);
    // At t0 + 12 min the early one (t0) is out, the others in: order by time was restored.
    expect(counters.add('k', 'now', t0 + 12 * MINUTE, w).size).toBe(3);
    expect(counters.add('k', 'later', t0 + 16 * MINUTE, w).size).toBe(3);
  });

  it('after-hours turns at the closing minute, answered once per minute, in the clinic zone', async () => {
    const clinic = new ClinicFacts();
    clinic.relate('u-h', 'p-h');
    const zoned: AlertSettings = {
      ...settings,
      clinicHours: { ...settings.clinicHours, timeZone: 'America/New_York' },
    };
    const c = {
      settings: zoned,
      counters: new MemoryWindowCounters(),
      subjects: clinic,
      addressRef: (ip: string) => ip,
    };
    const rules = async (at: string) =>
      (await evaluate(fact({ at, action: 'read', actorId: 'u-h', patientId: 'p-h' }), c)).map(
        (a) => a.rule,
      );
    // Tuesday 2031-05-06, New York is UTC-4: 18:59:59 local is open, 19:00:00 is not.
    expect(await rules('2031-05-06T22:59:00.000Z')).toEqual([]);
    expect(await rules('2031-05-06T22:59:59.999Z')).toEqual([]);
    expect(await rules('2031-05-06T23:00:00.000Z')).toEqual(['after-hours']);
    expect(await rules('2031-05-06T22:59:30.000Z')).toEqual([]);
    // Winter (UTC-5): 23:30Z is 18:30 local, open.
    expect(await rules('2031-01-07T23:30:00.000Z')).toEqual([]);
    expect(await rules('2031-01-08T00:00:00.000Z')).toEqual(['after-hours']);
  });

  it('with every answer at hand the rules answer without a promise', () => {
    const counters = new MemoryWindowCounters();
    const subjects = {
      isSelf: () => false,
      isVip: () => true,
      sharesSurname: () => false,
      hasCareRelation: () => true,
    };
    const found = evaluate(
      fact({ at: '2031-05-06T10:00:00.000Z', action: 'read', actorId: 'u-s', patientId: 'p-s' }),
      { settings, counters, subjects, addressRef: (ip) => ip },
    );
    expect(found).not.toBeInstanceOf(Promise);
    expect((found as { rule: string }[]).map((a) => a.rule)).toEqual(['vip-access']);
  });
});
