import { sessionCookie, csrfCookie } from './session-cookie.js';
import { resolveLimits, type ResolvedLimits, type SessionLimits } from './session-options.js';
import {
  hashSecret,
  isWellFormedSecret,
  newSecret,
  secretMatches,
  sessionHandle,
} from './session-secrets.js';
import type { SessionRecord, SessionStore } from './session-store.js';

export type Clock = () => Date;
export type Session = SessionRecord;

export interface SessionManagerOptions extends SessionLimits {
  store: SessionStore;
  clock?: Clock;
  /**
   * Awaited when an expired session is presented and deleted (an automatic logoff), so it can
   * be audited; if it rejects, the request fails (closed) and the session is still gone.
   */
  onExpired?: (session: Session, why: 'idle' | 'absolute') => Promise<void>;
}

export interface StartedSession {
  /** The only copy of the id: goes into the cookie, never into a log or the store. */
  sessionId: string;
  csrfToken: string;
  /** Set-Cookie value for the session cookie. */
  cookie: string;
  /** Set-Cookie value carrying the CSRF token to the web app's script (not HttpOnly). */
  csrfCookie: string;
  session: Session;
}

export interface SessionDescription {
  userId: string;
  idleExpiresInSeconds: number;
  absoluteExpiresInSeconds: number;
  mfa: boolean;
}

/**
 * Server-side sessions: opaque 256-bit ids in `__Host-` cookies, idle and absolute limits enforced
 * on every resolve (an expired session is deleted, not just refused), rotation on login and
 * privilege change, revocation of one or all of a user's sessions.
 */
export class SessionManager {
  private readonly store: SessionStore;
  private readonly clock: Clock;
  private readonly limits: ResolvedLimits;
  private readonly onExpired: NonNullable<SessionManagerOptions['onExpired']>;

  constructor(o: SessionManagerOptions) {
    this.store = o.store;
    this.onExpired = o.onExpired ?? (async () => {});
    this.clock = o.clock ?? (() => new Date());
    this.limits = resolveLimits(o);
  }

  /**
   * Signs a person in. Sign-in is itself an authentication, so the session counts as freshly
   * re-authenticated; `mfaSatisfied` when the second factor was verified in the same step.
   */
  async start(p: {
    userId: string;
    ip?: string | undefined;
    userAgent?: string | undefined;
    mfaSatisfied: boolean;
  }): Promise<StartedSession> {
    const now = this.clock();
    return this.issue({
      userId: p.userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.limits.absoluteMs),
      mfaAt: p.mfaSatisfied ? now : undefined,
      reauthAt: now,
      ip: p.ip,
      userAgent: p.userAgent,
    });
  }

  /**
   * The live session for an id, or undefined. Enforces the idle and absolute limits (deleting the
   * session server-side when either has passed) and records activity unless `touch` is false
   * (use that for polling such as GET /api/session, which must not keep a session alive).
   */
  async resolve(sessionId: string | undefined, o: { touch?: boolean } = {}) {
    if (!isWellFormedSecret(sessionId)) return undefined;
    const idHash = hashSecret(sessionId);
    const s = await this.store.get(idHash);
    if (!s) return undefined;
    const now = this.clock();
    if (this.hasExpired(s, now)) {
      // Only the request that deletes it reports the logoff (parallel ones find nothing).
      if (await this.store.delete(idHash)) {
        await this.onExpired(s, now.getTime() >= s.expiresAt.getTime() ? 'absolute' : 'idle');
      }
      return undefined;
    }
    if (o.touch === false || now.getTime() - s.lastSeenAt.getTime() < this.limits.touchEveryMs)
      return s;
    if (await this.store.touch(idHash, now)) return { ...s, lastSeenAt: now };
    // Lost a race: ended meanwhile, or touched by a concurrent request. Read again.
    return this.store.get(idHash);
  }

  /** Replaces the id (and CSRF token) of a live session; the old id stops working. */
  async rotate(sessionId: string): Promise<StartedSession | undefined> {
    const s = await this.resolve(sessionId, { touch: false });
    if (!s) return undefined;
    const next = await this.issue(s);
    await this.store.delete(s.idHash);
    return next;
  }

  /** Records a verified second factor (which also counts as re-authentication). */
  async markMfa(sessionId: string): Promise<boolean> {
    const s = await this.resolve(sessionId, { touch: false });
    const now = this.clock();
    return s !== undefined && this.store.update(s.idHash, { mfaAt: now, reauthAt: now });
  }

  /** Records a re-authentication (password or second factor) for sensitive actions. */
  async markReauth(sessionId: string): Promise<boolean> {
    const s = await this.resolve(sessionId, { touch: false });
    return s !== undefined && this.store.update(s.idHash, { reauthAt: this.clock() });
  }

  /** True unless the person proved who they are within the last `withinMinutes`. */
  needsReauth(session: Session, withinMinutes = 5): boolean {
    if (!session.reauthAt) return true;
    return this.clock().getTime() - session.reauthAt.getTime() > withinMinutes * 60_000;
  }

  /** Logout. */
  async end(sessionId: string | undefined): Promise<boolean> {
    if (!isWellFormedSecret(sessionId)) return false;
    return this.store.delete(hashSecret(sessionId));
  }

  /** A person's live sessions, newest first (expired ones are left out, not deleted here). */
  async listForUser(userId: string): Promise<Session[]> {
    const now = this.clock();
    const all = await this.store.listForUser(userId);
    return all
      .filter((s) => !this.hasExpired(s, now))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /** The opaque name of a session in "your sessions" (never usable as its cookie). */
  handleOf(session: Session): string {
    return sessionHandle(session.idHash);
  }

  /**
   * Ends one of the person's own sessions by its handle. Only their sessions are searched, so
   * another person's handle is exactly as unknown as a made-up one. The ended session, or
   * undefined when there was none (or a parallel request ended it first: the store's delete
   * answers true once).
   */
  async endByHandle(userId: string, handle: string): Promise<Session | undefined> {
    const s = (await this.listForUser(userId)).find((x) => this.handleOf(x) === handle);
    return s && (await this.store.delete(s.idHash)) ? s : undefined;
  }

  /** Password change, MFA reset, disable: every session of the user ends now. */
  endAllForUser(userId: string): Promise<number> {
    return this.store.deleteAllForUser(userId);
  }

  /** What GET /api/session reports: how long until automatic logoff. */
  describe(session: Session): SessionDescription {
    const now = this.clock().getTime();
    const idleEnd = session.lastSeenAt.getTime() + this.limits.idleMs;
    return {
      userId: session.userId,
      idleExpiresInSeconds: Math.max(0, Math.floor((idleEnd - now) / 1000)),
      absoluteExpiresInSeconds: Math.max(0, Math.floor((session.expiresAt.getTime() - now) / 1000)),
      mfa: session.mfaAt !== undefined,
    };
  }

  /** Constant-time check of the CSRF header against the session's stored hash. */
  checkCsrf(session: Session, headerToken: string | undefined): boolean {
    return secretMatches(headerToken, session.csrfHash);
  }

  /**
   * Idle is measured from the stored last-seen time, which lags the real last request by less
   * than touchEvery: the check can only end a session early, never let it outlive the limit.
   */
  private hasExpired(s: Session, now: Date): boolean {
    const t = now.getTime();
    return t >= s.expiresAt.getTime() || t - s.lastSeenAt.getTime() >= this.limits.idleMs;
  }

  private async issue(
    base: Pick<
      Session,
      'userId' | 'createdAt' | 'expiresAt' | 'mfaAt' | 'reauthAt' | 'ip' | 'userAgent'
    >,
  ): Promise<StartedSession> {
    const sessionId = newSecret();
    const csrfToken = newSecret();
    const session: Session = {
      userId: base.userId,
      createdAt: base.createdAt,
      expiresAt: base.expiresAt,
      mfaAt: base.mfaAt,
      reauthAt: base.reauthAt,
      ip: base.ip,
      userAgent: base.userAgent,
      idHash: hashSecret(sessionId),
      csrfHash: hashSecret(csrfToken),
      lastSeenAt: this.clock(),
    };
    await this.store.create(session);
    return {
      sessionId,
      csrfToken,
      cookie: sessionCookie(sessionId),
      csrfCookie: csrfCookie(csrfToken),
      session,
    };
  }
}
