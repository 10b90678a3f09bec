import crypto from 'node:crypto';
import path from 'node:path';
import { totpCodeAt } from '../../../src/auth/totp/totp-core.js';
import {
  ARGON2_HASHER,
  UserService,
  type PasswordHasher,
  type UserEventDraft,
  type UserServiceOptions,
} from '../../../src/auth/users/index.js';
import { UserContext } from '../../../src/auth/users/context.js';
import { BlindIndex } from '../../../src/crypto/index.js';
import {
  InvitationRepository,
  openDatabase,
  UserRepository,
  type Database,
} from '../../../src/store/index.js';
import { makeTarget, type EngineTarget } from '../../support/engines.js';

/** A UserService on a real database with a controlled clock and observed side effects. */
export interface Harness {
  service: UserService;
  /** The service's own sealing helpers (same key), to open stored fields as the service does. */
  context: UserContext;
  database: Database;
  events: UserEventDraft[];
  revoked: string[];
  calls: { hash: number; verify: number; dummyVerify: number };
  now(): Date;
  advance(ms: number): void;
  totpCode(secret: string): string;
  close(): Promise<void>;
}

export const STAFF_PASSWORD = 'correct horse battery staple';
export const PATIENT_PASSWORD = 'quiet lantern';

export async function openHarness(engine: 'sqlite' | 'postgres'): Promise<Harness> {
  const target: EngineTarget = await makeTarget(engine);
  const database = await openDatabase({
    databaseUrl: target.databaseUrl,
    schema: target.schema,
    sqlitePath: path.join(target.dataDir, 'haven.db'),
  });
  let now = new Date('2031-03-04T05:06:00.000Z');
  const events: UserEventDraft[] = [];
  const revoked: string[] = [];
  const calls = { hash: 0, verify: 0, dummyVerify: 0 };
  const hasher: PasswordHasher = {
    hash: (p) => (calls.hash++, ARGON2_HASHER.hash(p)),
    verify: (h, p) => (calls.verify++, ARGON2_HASHER.verify(h, p)),
    dummyVerify: (p) => (calls.dummyVerify++, ARGON2_HASHER.dummyVerify(p)),
  };
  const options: UserServiceOptions = {
    users: new UserRepository(database.db),
    invitations: new InvitationRepository(database.db),
    blindIndex: new BlindIndex(crypto.randomBytes(32)),
    userDataKey: crypto.randomBytes(32),
    clock: () => now,
    recordEvent: async (d) => void events.push(d),
    onRevokeSessions: async (id) => void revoked.push(id),
    // No FHIR records in this harness: ids starting with "missing-" stand for unknown ones.
    linkExists: async (_type, id) => !id.startsWith('missing-'),
    hasher,
  };
  const service = new UserService(options);
  return {
    service,
    context: new UserContext(options),
    database,
    events,
    revoked,
    calls,
    now: () => now,
    advance: (ms) => (now = new Date(now.getTime() + ms)),
    totpCode: (secret) => totpCodeAt(secret, now, 6),
    close: async () => {
      await database.close();
      await target.cleanup();
    },
  };
}

let counter = 0;
/** A fresh address per test, so tests in one file never collide on the unique index. */
export function freshEmail(): string {
  counter += 1;
  return `Person.${counter}.${crypto.randomBytes(3).toString('hex')}@Clinic.Example`;
}

/** A user with a first password set, ready to sign in. */
export async function enrolledUser(
  h: Harness,
  roles: string[] = ['physician'],
  password = STAFF_PASSWORD,
): Promise<{ userId: string; email: string }> {
  const email = freshEmail();
  const { userId, enrollmentToken } = await h.service.addUser({ email, roles });
  await h.service.enroll(enrollmentToken, password);
  return { userId, email };
}

/** Nothing identifying or secret reached the audit drafts. */
export function assertNoSecretsIn(events: UserEventDraft[], secrets: string[]): void {
  const text = JSON.stringify(events).toLowerCase();
  for (const s of secrets) {
    if (text.includes(s.toLowerCase())) throw new Error('a secret or email reached an audit draft');
  }
}
