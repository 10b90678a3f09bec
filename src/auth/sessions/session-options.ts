import { SessionConfigError } from './errors.js';

export interface SessionLimits {
  /** Automatic logoff after this much inactivity. Default 15; above 15 needs allowIdleAbove15. */
  idleMinutes?: number;
  /** A session ends this long after sign-in, whatever its activity. Default 12. */
  absoluteHours?: number;
  /**
   * HIPAA automatic logoff: Haven never runs above 15 minutes idle by default. An operator who
   * sets more must say so explicitly (and the compliance report flags it).
   */
  allowIdleAbove15?: boolean;
  /**
   * Activity is written at most this often (default 30 s), so a burst of requests costs one write,
   * not one per request. The stored last-seen time can lag the real last request by up to this
   * much, so a session may be logged off up to this much *early*, never late.
   */
  touchEverySeconds?: number;
}

export interface ResolvedLimits {
  idleMs: number;
  absoluteMs: number;
  touchEveryMs: number;
}

export const MAX_DEFAULT_IDLE_MINUTES = 15;

/** Validates the limits once, at start-up. Throws SessionConfigError. */
export function resolveLimits(o: SessionLimits): ResolvedLimits {
  const idleMinutes = o.idleMinutes ?? MAX_DEFAULT_IDLE_MINUTES;
  const absoluteHours = o.absoluteHours ?? 12;
  const touchEverySeconds = o.touchEverySeconds ?? 30;
  if (!(Number.isFinite(idleMinutes) && idleMinutes > 0))
    throw new SessionConfigError('idle timeout must be a positive number of minutes');
  if (idleMinutes > MAX_DEFAULT_IDLE_MINUTES && !o.allowIdleAbove15)
    throw new SessionConfigError(
      `idle timeout of ${idleMinutes} minutes is above ${MAX_DEFAULT_IDLE_MINUTES} ` +
        '(HIPAA automatic logoff); set allowIdleAbove15 to accept it explicitly',
    );
  if (!(Number.isFinite(absoluteHours) && absoluteHours > 0))
    throw new SessionConfigError('absolute session lifetime must be a positive number of hours');
  if (absoluteHours * 60 < idleMinutes)
    throw new SessionConfigError('absolute session lifetime must not be shorter than idle timeout');
  if (!(Number.isFinite(touchEverySeconds) && touchEverySeconds >= 0))
    throw new SessionConfigError('touchEverySeconds must be zero or more');
  if (touchEverySeconds * 2 > idleMinutes * 60)
    throw new SessionConfigError('touchEverySeconds must be at most half the idle timeout');
  return {
    idleMs: idleMinutes * 60_000,
    absoluteMs: absoluteHours * 3_600_000,
    touchEveryMs: touchEverySeconds * 1000,
  };
}
