/**
 * A server-side session as the stores keep it. Only hashes of the two secrets (session id and
 * CSRF token) are kept, so a dump of the database or of Redis cannot be replayed as a cookie.
 */
export interface SessionRecord {
  /** SHA-256 of the session id. */
  idHash: Buffer;
  userId: string;
  createdAt: Date;
  /** Last recorded activity (recorded at most every `touchEverySeconds`; see SessionManager). */
  lastSeenAt: Date;
  /** Absolute end of the session, whatever its activity. */
  expiresAt: Date;
  /** When a second factor was last verified in this session. */
  mfaAt: Date | undefined;
  /** When the person last proved who they are (password or second factor) in this session. */
  reauthAt: Date | undefined;
  /** SHA-256 of the CSRF token. */
  csrfHash: Buffer;
  ip: string | undefined;
  userAgent: string | undefined;
}

export interface SessionFieldUpdate {
  mfaAt?: Date;
  reauthAt?: Date;
}

/** Where sessions live: the database (always available) or Redis (when REDIS_URL is set). */
export interface SessionStore {
  create(record: SessionRecord): Promise<void>;
  get(idHash: Buffer): Promise<SessionRecord | undefined>;
  /** Records activity; never moves lastSeenAt backwards. False when the session is gone. */
  touch(idHash: Buffer, lastSeenAt: Date): Promise<boolean>;
  /** False when the session is gone (an update never recreates a deleted session). */
  update(idHash: Buffer, fields: SessionFieldUpdate): Promise<boolean>;
  delete(idHash: Buffer): Promise<boolean>;
  /** Every stored session of one user, expired ones included (the manager filters them). */
  listForUser(userId: string): Promise<SessionRecord[]>;
  /** Revokes every session of one user; returns how many were live. */
  deleteAllForUser(userId: string): Promise<number>;
}
