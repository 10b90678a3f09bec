import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvitationRepository,
  openDatabase,
  UserRepository,
  type Database,
} from '../../src/store/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

describe.each(ENGINES)('user and invitation repositories on %s', (engine) => {
  let target: EngineTarget;
  let database: Database;
  let users: UserRepository;
  let invitations: InvitationRepository;
  const at = '2031-01-01T00:00:00.000Z';

  beforeAll(async () => {
    target = await makeTarget(engine);
    database = await openDatabase({
      databaseUrl: target.databaseUrl,
      schema: target.schema,
      sqlitePath: path.join(target.dataDir, 'haven.db'),
    });
    users = new UserRepository(database.db);
    invitations = new InvitationRepository(database.db);
  });
  afterAll(async () => {
    await database.close();
    await target.cleanup();
  });

  const newUser = async (roles = ['nurse']) => {
    const id = crypto.randomUUID();
    const emailIndex = crypto.randomBytes(16);
    expect(
      await users.insert({ id, emailIndex, emailSealed: Buffer.from('sealed'), roles, at }),
    ).toBe(true);
    return { id, emailIndex };
  };

  it('inserts, finds by id and email index, and refuses a taken email index', async () => {
    const { id, emailIndex } = await newUser(['nurse', 'admin']);
    expect(await users.findById(id)).toMatchObject({
      id,
      roles: ['nurse', 'admin'],
      failedAttempts: 0,
    });
    expect((await users.findByEmailIndex(emailIndex))?.id).toBe(id);
    const dup = {
      id: crypto.randomUUID(),
      emailIndex,
      emailSealed: Buffer.from('x'),
      roles: ['nurse'],
      at,
    };
    expect(await users.insert(dup)).toBe(false);
    expect((await users.list()).map((u) => u.id)).toContain(id);
  });

  it('sets a first password once, then only by compare-and-set', async () => {
    const { id } = await newUser();
    expect(await users.replacePasswordHash(id, null, 'h1', at)).toBe(true);
    expect(await users.replacePasswordHash(id, null, 'h2', at)).toBe(false);
    expect(await users.replacePasswordHash(id, 'h0', 'h2', at)).toBe(false);
    expect(await users.replacePasswordHash(id, 'h1', 'h2', at)).toBe(true);
    expect((await users.findById(id))?.passwordHash).toBe('h2');
  });

  it('advances the TOTP step only forwards, and only once confirmed', async () => {
    const { id } = await newUser();
    const secret = Buffer.from('sealed-secret');
    expect(await users.beginTotp(id, secret, at)).toBe(true);
    expect(await users.advanceTotpStep(id, 10, at)).toBe(false);
    expect(await users.confirmTotp(id, Buffer.from('other'), 10, '[]', at)).toBe(false);
    expect(await users.confirmTotp(id, secret, 10, '["a","b"]', at)).toBe(true);
    expect(await users.beginTotp(id, secret, at)).toBe(false);
    expect(await users.advanceTotpStep(id, 10, at)).toBe(false);
    expect(await users.advanceTotpStep(id, 11, at)).toBe(true);
    expect(await users.advanceTotpStep(id, 9, at)).toBe(false);
    expect(await users.replaceRecoveryHashes(id, '["a","b"]', '["b"]', at)).toBe(true);
    expect(await users.replaceRecoveryHashes(id, '["a","b"]', '["a"]', at)).toBe(false);
    expect(await users.findById(id)).toMatchObject({ totpLastStep: 11, recoveryHashes: '["b"]' });
  });

  it('counts failures, locks, resets, disables once and resets MFA', async () => {
    const { id } = await newUser();
    expect(await users.recordFailure(id, at)).toBe(1);
    expect(await users.recordFailure(id, at)).toBe(2);
    expect(await users.recordFailure('nobody', at)).toBe(0);
    expect(await users.lock(id, '2031-01-01T00:01:00.000Z', at)).toBe(true);
    expect((await users.findById(id))?.lockedUntil).toBe('2031-01-01T00:01:00.000Z');
    expect(await users.resetFailures(id, at)).toBe(true);
    expect(await users.findById(id)).toMatchObject({ failedAttempts: 0, lockedUntil: null });
    expect(await users.disable(id, at)).toBe(true);
    expect(await users.disable(id, at)).toBe(false);
    await users.beginTotp(id, Buffer.from('s'), at);
    await database.db
      .insertInto('webauthn_credentials')
      .values({
        id: `c-${id}`,
        user_id: id,
        public_key: Buffer.from('k'),
        counter: 0,
        transports: null,
        created_at: at,
        last_used_at: null,
      })
      .execute();
    expect(await users.countWebauthn(id)).toBe(1);
    expect(await users.resetMfa(id, at)).toBe(true);
    expect(await users.countWebauthn(id)).toBe(0);
    expect(await users.findById(id)).toMatchObject({
      totpSecretSealed: null,
      recoveryHashes: null,
    });
    expect(await users.resetMfa('nobody', at)).toBe(false);
  });

  it('consumes an invitation once, and never after it expires', async () => {
    const { id } = await newUser();
    const live = crypto.randomBytes(32);
    const old = crypto.randomBytes(32);
    const expiresAt = '2031-01-04T00:00:00.000Z';
    await invitations.insert({ tokenHash: live, userId: id, purpose: 'enroll', expiresAt, at });
    await invitations.insert({ tokenHash: old, userId: id, purpose: 'register', expiresAt, at });
    expect(await invitations.findUsable(live, at)).toEqual({
      userId: id,
      purpose: 'enroll',
      expiresAt,
    });
    const racing = await Promise.all([1, 2, 3].map(() => invitations.consume(live, at)));
    expect(racing.filter((r) => r !== undefined)).toHaveLength(1);
    expect(await invitations.findUsable(live, at)).toBeUndefined();
    expect(await invitations.consume(old, expiresAt)).toBeUndefined();
    expect(await invitations.consume(crypto.randomBytes(32), at)).toBeUndefined();
  });
});
