import { useEffect } from 'react';
import { useSession } from '../session/SessionProvider';

/** How often a running call tells the server the person is still there. */
const KEEP_ALIVE_MS = 60_000;

/**
 * A video call is the person at work, but it makes no HTTP request the server could count: the
 * signaling socket is not activity (it must not keep a forgotten tab signed in), and the
 * socket closes when the session ends (ADR 0027). So while a call is admitted and running the
 * page sends the same keep-alive "stay signed in" sends; in the waiting room, or once the call
 * ends, it stops and the ordinary idle logoff applies.
 */
export function useCallKeepAlive(active: boolean): void {
  const { staySignedIn } = useSession();
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => void staySignedIn(), KEEP_ALIVE_MS);
    return () => window.clearInterval(timer);
  }, [active, staySignedIn]);
}
