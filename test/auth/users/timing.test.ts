import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_HASHER, UserService, type PasswordHasher } from '../../../src/auth/users/index.js';
import { BlindIndex } from '../../../src/crypto/index.js';
import {
  InvitationRepository,
  openDatabase,
  UserRepository,
  type Database,
} from '../../../src/store/index.js';
import { makeTarget, type EngineTarget } from '../../support/engines.js';
import { freshEmail, STAFF_PASSWORD } from './harness.js';

/**
 * No user enumeration by timing: signing in as an unknown person must take as long as a wrong
 * password for a real one. Samples are interleaved and compared with a Mann–Whitney U test;
 * the same statistic must flag a service that skips the dummy hash (the control), so the test
 * can fail. Nothing here asserts on a duration itself.
 */
const SAMPLES = 30;

function mannWhitneyP(a: number[], b: number[]): number {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort(
    (x, y) => x.v - y.v,
  );
  const ranks = new Array<number>(all.length);
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const rankA = all.reduce((s, x, i) => (x.g === 0 ? s + ranks[i]! : s), 0);
  const n1 = a.length;
  const n2 = b.length;
  const u = rankA - (n1 * (n1 + 1)) / 2;
  const z = (u - (n1 * n2) / 2) / Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
  // Two-sided p from the normal approximation (erfc via Abramowitz–Stegun 7.1.26).
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return erfc;
}

describe('sign-in timing does not reveal whether an account exists', () => {
  let target: EngineTarget;
  let database: Database;
  const service = (hasher: PasswordHasher) =>
    new UserService({
      users: new UserRepository(database.db),
      invitations: new InvitationRepository(database.db),
      blindIndex: new BlindIndex(crypto.randomBytes(32)),
      userDataKey: crypto.randomBytes(32),
      clock: () => new Date(),
      recordEvent: async () => undefined,
      lockoutThreshold: 1_000_000, // measure the hashing path, not the lock
      hasher,
    });

  beforeAll(async () => {
    target = await makeTarget('sqlite');
    database = await openDatabase({
      databaseUrl: undefined,
      sqlitePath: path.join(target.dataDir, 'haven.db'),
    });
  });
  afterAll(async () => {
    await database.close();
    await target.cleanup();
  });

  /** One sample of each kind per iteration, so both services see the same machine conditions. */
  async function sample(honest: UserService, leaky: UserService, email: string) {
    const out = {
      honestUnknown: [] as number[],
      honestWrong: [] as number[],
      leakyUnknown: [] as number[],
      leakyWrong: [] as number[],
    };
    const time = async (users: UserService, who: string, into: number[]) => {
      const t = process.hrtime.bigint();
      expect((await users.verifyPassword(who, 'not the password at all')).ok).toBe(false);
      into.push(Number(process.hrtime.bigint() - t));
    };
    for (let i = 0; i < SAMPLES; i++) {
      await time(honest, freshEmail(), out.honestUnknown);
      await time(honest, email, out.honestWrong);
      await time(leaky, freshEmail(), out.leakyUnknown);
      await time(leaky, email, out.leakyWrong);
    }
    return out;
  }

  it(
    'unknown user vs wrong password: indistinguishable (p > 0.001), while a missing dummy hash is caught',
    { timeout: 240_000 },
    async () => {
      const real = service(ARGON2_HASHER);
      const email = freshEmail();
      const { enrollmentToken } = await real.addUser({ email, roles: ['nurse'] });
      await real.enroll(enrollmentToken, STAFF_PASSWORD);
      // Control: the same service without the dummy hash for unknown accounts.
      const leaky = service({
        ...ARGON2_HASHER,
        dummyVerify: async () => ({ ok: false, needsRehash: false }),
      });
      // A round counts only if it could see the leak (the control is detected); on a machine
      // too busy to tell 0 ms from an argon2 hash, measure again rather than conclude anything.
      for (let round = 1; round <= 3; round++) {
        const s = await sample(real, leaky, email);
        if (mannWhitneyP(s.leakyUnknown, s.leakyWrong) >= 0.001) continue;
        expect(mannWhitneyP(s.honestUnknown, s.honestWrong)).toBeGreaterThan(0.001);
        return;
      }
      throw new Error(
        'three rounds could not detect even the control leak: the machine is too busy to measure',
      );
    },
  );
});
