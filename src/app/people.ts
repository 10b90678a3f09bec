import type { Redis } from 'ioredis';
import type { Alert } from '../alerts/index.js';
import { withRequestOrigin, type AuditRecorder } from '../audit/index.js';
import type { EnrollmentDelivery } from '../notify/index.js';
import {
  DatabaseSessionStore,
  LoginThrottle,
  RedisSessionStore,
  RedisThrottleStore,
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
  ApprovalRepository,
  ClientRepository,
  SmartRepository,
  InvitationRepository,
  ResourceRepository,
  readPathCaches,
  SessionRepository,
  ThrottleRepository,
  UserRepository,
  WebauthnRepository,
  type Database,
} from '../store/index.js';

/** SessionManager's default touch interval: how old a cached session copy may be (ADR 0037). */
const SESSION_TOUCH_EVERY_MS = 30_000;

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
  /** Asks Redis for a PONG when REDIS_URL is set (readiness); undefined without Redis. */
  pingRedis: (() => Promise<unknown>) | undefined;
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
  audit: AuditRecorder;
  blindIndex: BlindIndex;
  userDataKey: Buffer;
  clock: () => Date;
  raiseAlert: (alert: Alert) => Promise<void>;
  /** Where approved enrollment links go (email or the terminal), never an HTTP response. */
  enrollmentDelivery: EnrollmentDelivery;
  /** The connected Redis client when REDIS_URL is set (see redis-connection.ts). */
  redis: Redis | undefined;
}): People {
  const { config, database, audit, clock, redis } = opts;
  const caches = readPathCaches(database.db);
  const store = redis
    ? new RedisSessionStore(redis, config.redisPrefix)
    : new DatabaseSessionStore(
        // ADR 0037: served from memory while the cache counter stands; a copy is trusted only
        // while its last-seen time is under the touch interval (30 s) old.
        new SessionRepository(database.db, {
          rows: caches.sessions,
          clock,
          freshMs: SESSION_TOUCH_EVERY_MS,
        }),
      );
  const sessions = new SessionManager({
    store,
    clock,
    idleMinutes: config.sessionIdleMinutes,
    absoluteHours: config.sessionAbsoluteHours,
    allowIdleAbove15: config.allowIdleAbove15,
    // An automatic logoff is recorded when the expired session is next presented (and deleted).
    onExpired: async (session, why) => {
      const draft = withRequestOrigin({
        action: 'logout',
        outcome: 'success',
        actorType: 'user',
        actorId: session.userId,
        reason: why === 'idle' ? 'idle-timeout' : 'absolute-timeout',
      });
      await audit.append(draft);
    },
  });
  const userRepo = new UserRepository(database.db, caches.users);
  const resources = new ResourceRepository(database.db);
  const appTokens = new ClientRepository(database.db, clock, caches.clients);
  const smartApps = new SmartRepository(database.db);
  // Counters shared by every instance: in Redis when there is one, else in the shared database.
  const throttle = new LoginThrottle(
    redis
      ? new RedisThrottleStore(redis, { prefix: config.redisPrefix })
      : new ThrottleRepository(database.db),
  );
  const users = new UserService({
    users: userRepo,
    invitations: new InvitationRepository(database.db),
    blindIndex: opts.blindIndex,
    userDataKey: opts.userDataKey,
    clock,
    recordEvent: async (draft) => {
      // Sign-in events say from where, with which user agent and in which request.
      await audit.append(withRequestOrigin(draft));
    },
    linkExists: async (resourceType, id) => {
      const head = await resources.head(resourceType, id);
      return head !== undefined && !head.deleted;
    },
    // Every credential a person holds ends together: sessions and the app tokens made from them.
    onRevokeSessions: async (userId) => {
      await sessions.endAllForUser(userId);
      await appTokens.revokeAllForUser(userId);
      await smartApps.revokeAllForUser(userId, clock().toISOString());
    },
    approvals: new ApprovalRepository(database.db),
    raiseAlert: opts.raiseAlert,
    deliverEnrollment: (n) => opts.enrollmentDelivery.deliver(n),
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
      ? new RedisChallengeStore(redis, { prefix: config.redisPrefix, clock })
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
    pingRedis: redis ? () => redis.ping() : undefined,
    close: async () => {},
  };
}
