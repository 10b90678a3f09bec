import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertEngine,
  DEFAULT_ALERT_SETTINGS,
  MemoryWindowCounters,
  RedisWindowCounters,
  type AlertStore,
} from '../../src/alerts/index.js';
import type { AlertRow, NewAlert } from '../../src/store/index.js';
import { ownRedis, type OwnRedis } from '../support/redis-server.js';
import { TestClock } from '../http/auth/sign-in.js';
import { ClinicFacts, fact } from './rule-harness.js';

/** A store that keeps what it is given (the database side is tested in rules.test.ts). */
class ListStore implements AlertStore {
  readonly rows = new Map<string, AlertRow>();
  record(a: NewAlert): Promise<{ row: AlertRow; created: boolean }> {
    const hit = this.rows.get(a.dedupKey);
    if (hit) {
      hit.count += a.sightings ?? 1;
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
      lastSeen: a.lastAt ?? a.at,
      count: a.sightings ?? 1,
      status: 'open',
      ackBy: null,
      ackAt: null,
      ackComment: null,
    };
    this.rows.set(a.dedupKey, row);
    return Promise.resolve({ row, created: true });
  }
}

const settings = { ...DEFAULT_ALERT_SETTINGS, volume: { patients: 20, windowMinutes: 10 } };

function instance(redis: Redis, prefix: string, store: AlertStore, errors: string[]) {
  const clinic = new ClinicFacts();
  return new AlertEngine({
    settings,
    counters: new RedisWindowCounters(redis, prefix),
    subjects: {
      ...clinic,
      hasCareRelation: () => Promise.resolve(true),
      isSelf: () => Promise.resolve(false),
      isVip: () => Promise.resolve(false),
      sharesSurname: () => Promise.resolve(false),
    },
    addressRef: (ip) => ip,
    store,
    newId: () => crypto.randomUUID(),
    deliver: () => undefined,
    onError: (code) => errors.push(code),
  });
}

describe('anomaly counters in Redis, shared by instances', () => {
  let own: OwnRedis;
  let a: Redis;
  let b: Redis;
  const prefix = `haven-test-${crypto.randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    own = await ownRedis();
    const opts = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 500,
      retryStrategy: () => 100,
    };
    a = new Redis(own.url, opts);
    b = new Redis(own.url, opts);
    a.on('error', () => undefined);
    b.on('error', () => undefined);
    await Promise.all([a.connect(), b.connect()]);
  }, 60_000);
  afterAll(async () => {
    a?.disconnect();
    b?.disconnect();
    await own?.cleanup();
  });

  it('two instances each below the threshold trip it together, counted under the prefix', async () => {
    const clock = new TestClock();
    const store = new ListStore();
    const errors: string[] = [];
    const one = instance(a, prefix, store, errors);
    const two = instance(b, prefix, store, errors);
    // Alone, either instance sees 10 distinct patients: half the threshold.
    for (let i = 0; i < 10; i++) {
      one.observe([
        fact({ at: clock.now.toISOString(), action: 'read', actorId: 'u-x', patientId: `p-a${i}` }),
      ]);
      two.observe([
        fact({ at: clock.now.toISOString(), action: 'read', actorId: 'u-x', patientId: `p-b${i}` }),
      ]);
      clock.advance(1000);
    }
    await Promise.all([one.idle(), two.idle()]);
    expect(errors).toEqual([]);
    const volume = [...store.rows.values()].filter((r) => r.rule === 'volume');
    expect(volume).toHaveLength(1);
    expect(volume[0]!.userId).toBe('u-x');
    const keys = await a.keys(`${prefix}*`);
    expect(keys).toEqual([`${prefix}alerts:volume:u-x`]);
    // Keys expire with the window: nothing is kept in Redis for longer than it matters.
    expect(await a.pttl(keys[0]!)).toBeLessThanOrEqual(10 * 60_000);
  });

  it('an add says whether the member is new to the window, as the memory counters do', async () => {
    const t0 = new TestClock().now.getTime();
    const w = 10 * 60_000;
    const memory = new MemoryWindowCounters();
    const shared = new RedisWindowCounters(a, prefix);
    const steps: [string, number][] = [
      ['p-1', t0],
      ['p-2', t0 + 60_000],
      // Seen again inside the window: not new, the count stays.
      ['p-1', t0 + 2 * 60_000],
      // At t0 + 11.5 min p-2's only sighting has left the window (new again); p-1's second
      // sighting has not (not new).
      ['p-2', t0 + 11.5 * 60_000],
      ['p-1', t0 + 11.5 * 60_000],
    ];
    const expected = [
      { size: 1, added: true },
      { size: 2, added: true },
      { size: 2, added: false },
      { size: 2, added: true },
      { size: 2, added: false },
    ];
    const fromMemory = steps.map(([m, at]) => memory.add('k:new', m, at, w));
    const fromRedis: unknown[] = [];
    for (const [m, at] of steps) fromRedis.push(await shared.add('k:new', m, at, w));
    expect(fromMemory).toEqual(expected);
    expect(fromRedis).toEqual(expected);
  });

  it('with Redis gone the engine reports a code and carries on; requests are not involved', async () => {
    const clock = new TestClock();
    const store = new ListStore();
    const errors: string[] = [];
    const one = instance(a, prefix, store, errors);
    await own.stop();
    one.observe([
      fact({ at: clock.now.toISOString(), action: 'read', actorId: 'u-y', patientId: 'p-1' }),
    ]);
    await one.idle();
    expect(errors.length).toBe(1);
    expect(errors[0]).not.toContain('p-1');
    await own.start();
    await new Promise<void>((r) => a.once('ready', () => r()));
    one.observe([
      fact({
        at: clock.now.toISOString(),
        action: 'break-glass',
        actorId: 'u-y',
        patientId: 'p-1',
        ref: 'g',
      }),
    ]);
    await one.idle();
    expect([...store.rows.values()].map((r) => r.rule)).toContain('break-glass');
  }, 30_000);
});
