import crypto from 'node:crypto';
import path from 'node:path';
import { MemoryChallengeStore, WebauthnService } from '../../../src/auth/webauthn/index.js';
import {
  openDatabase,
  UserRepository,
  WebauthnRepository,
  type Database,
} from '../../../src/store/index.js';
import { makeTarget } from '../../support/engines.js';
import { SoftwareAuthenticator } from './software-authenticator.js';

export const RP_ID = 'haven.example';
export const ORIGIN = 'https://haven.example';

/** A WebauthnService on a real database, with a controlled clock. */
export interface WebauthnHarness {
  service: WebauthnService;
  repo: WebauthnRepository;
  users: UserRepository;
  database: Database;
  now(): Date;
  advance(ms: number): void;
  /** A fresh user row (WebAuthn needs only its id). */
  newUser(): Promise<string>;
  /** A fresh user with one registered software authenticator. */
  registeredUser(o?: { signCount?: number; counterStep?: number }): Promise<{
    userId: string;
    authenticator: SoftwareAuthenticator;
  }>;
  close(): Promise<void>;
}

export async function openWebauthnHarness(engine: 'sqlite' | 'postgres'): Promise<WebauthnHarness> {
  const target = await makeTarget(engine);
  const database = await openDatabase({
    databaseUrl: target.databaseUrl,
    schema: target.schema,
    sqlitePath: path.join(target.dataDir, 'haven.db'),
  });
  let now = new Date('2031-03-04T05:06:00.000Z');
  const clock = () => now;
  const repo = new WebauthnRepository(database.db);
  const users = new UserRepository(database.db);
  const service = new WebauthnService({
    repo,
    rpId: RP_ID,
    rpName: 'Haven',
    origin: ORIGIN,
    challenges: new MemoryChallengeStore({ clock }),
    clock,
  });
  const newUser = async () => {
    const id = crypto.randomUUID();
    await users.insert({
      id,
      emailIndex: crypto.randomBytes(32),
      emailSealed: crypto.randomBytes(48),
      roles: ['patient'],
      at: now.toISOString(),
    });
    return id;
  };
  return {
    service,
    repo,
    users,
    database,
    now: clock,
    advance: (ms) => (now = new Date(now.getTime() + ms)),
    newUser,
    registeredUser: async (o = {}) => {
      const userId = await newUser();
      const authenticator = new SoftwareAuthenticator(ORIGIN, o.signCount ?? 0, o.counterStep);
      const options = await service.registrationOptions(userId, `${userId}@example.org`);
      await service.verifyRegistration(userId, authenticator.register(options));
      return { userId, authenticator };
    },
    close: async () => {
      await database.close();
      await target.cleanup();
    },
  };
}
