import { Redis } from 'ioredis';
import type { AuditDraft } from '../audit/index.js';
import {
  DatabaseSessionStore,
  LoginThrottle,
  RedisSessionStore,
  SessionManager,
  UserService,
  emailIndexTerm,
  normalizeEmail,
} from '../auth/index.js';
import type { HavenConfig } from '../config/index.js';
import type { BlindIndex } from '../crypto/index.js';
import {
  InvitationRepository,
  SessionRepository,
  ThrottleRepository,
  UserRepository,
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
}): People {
  const { config, database, writer, clock } = opts;
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 })
    : undefined;
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
  const users = new UserService({
    users: new UserRepository(database.db),
    invitations: new InvitationRepository(database.db),
    blindIndex: opts.blindIndex,
    userDataKey: opts.userDataKey,
    clock,
    recordEvent: async (draft) => {
      await writer.submit({ onSuccess: () => [draft], onFailure: () => [] });
    },
    onRevokeSessions: async (userId) => {
      await sessions.endAllForUser(userId);
    },
  });
  return {
    users,
    emailIndex: (email) => {
      try {
        return opts.blindIndex.token(emailIndexTerm(normalizeEmail(email)));
      } catch {
        return undefined;
      }
    },
    sessions,
    throttle: new LoginThrottle(new ThrottleRepository(database.db)),
    close: async () => {
      await redis?.quit();
    },
  };
}
