/** What GET /api/session reports (src/auth/sessions/session-manager.ts `describe`, plus roles). */
export interface SessionInfo {
  userId: string;
  idleExpiresInSeconds: number;
  absoluteExpiresInSeconds: number;
  mfa: boolean;
  roles: string[];
  /** The person's Practitioner record, when linked (a note's author and signer). */
  practitionerId?: string;
}

/** The warning shows this long before the server's idle (or absolute) limit. */
export const WARN_BEFORE_MS = 2 * 60_000;
/**
 * How often the app asks the server (GET /api/session, which is not activity). A session ended
 * elsewhere (another tab, an admin, a privilege change) is noticed within this time.
 */
export const POLL_MS = 15_000;

export interface IdlePlan {
  /** Local time (Date.now()) at which the server will end the session. */
  deadline: number;
  /** Whether the "you are about to be signed out" warning is due. */
  warn: boolean;
  /** When to ask the server again: at the next poll, the warning point or the deadline. */
  nextCheckInMs: number;
}

/**
 * The schedule after an answer from the server. The server's numbers are relative, so the
 * page's clock and the server's need not agree; whichever limit comes first counts.
 */
export function planIdle(info: SessionInfo, now: number): IdlePlan {
  const leftMs = Math.min(info.idleExpiresInSeconds, info.absoluteExpiresInSeconds) * 1000;
  const warn = leftMs <= WARN_BEFORE_MS;
  const untilWarn = leftMs - WARN_BEFORE_MS;
  const nextCheckInMs = Math.max(0, Math.min(POLL_MS, warn ? leftMs : untilWarn));
  return { deadline: now + leftMs, warn, nextCheckInMs };
}
