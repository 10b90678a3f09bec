import type { Redis } from 'ioredis';
import type { AuditDraft } from '../audit/index.js';
import {
  DatabaseSessionStore,
  LoginThrottle,
  RedisSessionStore,
  SessionManager,
  UserService,
  accountKey,
  emailIndexTerm,
  normalizeEmail,
  type Account,
  MemoryChallengeStore,
  RedisChallengeStore,
  relyingPartyFromPublicUrl,
  WebauthnService,
} from '../auth/index.js';
import type { HavenConfig } from '../config/index.js';
import type { BlindIndex } from '../crypto/index.js';
import {
  ClientRepository,
  InvitationRepository,
  SessionRepository,
  ThrottleRepository,
  UserRepository,
  WebauthnRepository,
  type BatchWriter,
  type Database,
} from '../store/index.js';

export interface People {
  users: UserService;
  /**
   * The blind-index token of an email (the per-account throttle key; never the email itself),
   * or undefined for text that is not an email address.
   */
  emailIndex(email: string): Buffer | undefined;
  sessions: SessionManager;
  throttle: LoginThrottle;
  /** Passkeys: registration, second factor and passwordless sign-in (src/http/webauthn-routes.ts). */
  webauthn: WebauthnService;
  /**
   * The account if it may sign in now: enrolled, not disabled and not locked. For sign-ins that
   * skip the password step (which checks the lock itself), such as a passkey.
   */
  signInAccount(userId: string): Promise<Account | undefined>;
  close(): Promise<void>;
}

/**
 * Users, sessions and login throttling, assembled from the configuration: sessions live in the
 * database, or in Redis when REDIS_URL is set (several servers then share them). Every user
 * event is audited through the group commit and awaited, so it fails closed.
 */
export function assemblePeople(opts: {
  config: HavenConfig;
  database: Database;
  writer: BatchWriter<AuditDraft>;
  blindIndex: BlindIndex;
  userDataKey: Buffer;
  clock: () => Date;
  /** The connected Redis client when REDIS_URL is set (see redis-connection.ts). */
  redis: Redis | undefined;
}): People {
  const { config, database, writer, clock, redis } = opts;
  const store = redis
    ? new RedisSessionStore(redis)
    : new DatabaseSessionStore(new SessionRepository(database.db));
  const sessions = new SessionManager({
    store,
    clock,
    idleMinutes: config.sessionIdleMinutes,
    absoluteHours: config.sessionAbsoluteHours,
    allowIdleAbove15: config.allowIdleAbove15,
  });
  const userRepo = new UserRepository(database.db);
  const appTokens = new ClientRepository(database.db);
  const throttle = new LoginThrottle(new ThrottleRepository(database.db));
  const users = new UserService({
    users: userRepo,
    invitations: new InvitationRepository(database.db),
    blindIndex: opts.blindIndex,
    userDataKey: opts.userDataKey,
    clock,
    recordEvent: async (draft) => {
      await writer.submit({ onSuccess: () => [draft], onFailure: () => [] });
    },
    // Every credential a person holds ends together: sessions and the app tokens made from them.
    onRevokeSessions: async (userId) => {
      await sessions.endAllForUser(userId);
      await appTokens.revokeAllForUser(userId);
    },
    onUnlock: async (emailIndex) => {
      await throttle.unlock(accountKey(emailIndex));
    },
  });
  // The relying party is fixed at start-up from the configured public URL, never taken from a
  // request (a Host header must not choose which origin passkeys are checked against).
  const rp = relyingPartyFromPublicUrl(config.publicUrl ?? `https://localhost:${config.port}`);
  const webauthn = new WebauthnService({
    repo: new WebauthnRepository(database.db),
    rpId: rp.rpId,
    rpName: rp.rpName,
    origin: rp.origin,
    // Shared through Redis when several servers run; in-process otherwise.
    challenges: redis
      ? new RedisChallengeStore(redis, { clock })
      : new MemoryChallengeStore({ clock }),
    clock,
  });
  return {
    users,
    webauthn,
    signInAccount: async (userId) => {
      const [account, row] = await Promise.all([users.account(userId), userRepo.findById(userId)]);
      if (!account || !row || row.passwordHash === null) return undefined;
      const locked = row.lockedUntil !== null && row.lockedUntil > clock().toISOString();
      return locked ? undefined : account;
    },
    emailIndex: (email) => {
      try {
        return opts.blindIndex.token(emailIndexTerm(normalizeEmail(email)));
      } catch {
        return undefined;
      }
    },
    sessions,
    throttle,
    close: async () => {},
  };
}
