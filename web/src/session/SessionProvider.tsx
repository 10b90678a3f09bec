import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { useLocation } from 'wouter';
import { ApiProblem, get, onSessionLost, post } from '../api';
import { openSessionChannel, type SessionEvent, type SignOutReason } from './broadcast';
import { planIdle, type SessionInfo } from './idle-plan';

export type { SignOutReason };

interface SessionState {
  /** undefined while the first answer is awaited; null when nobody is signed in. */
  session: SessionInfo | null | undefined;
  /** Local time at which the session ends, while the warning is shown. */
  warningDeadline: number | null;
  /** Why the last sign-out happened (shown on the sign-in page; no PHI). */
  notice: SignOutReason | null;
  /** Changes at every sign-out: the whole screen tree is keyed on it and so remounts empty. */
  generation: number;
  signOut: (reason: SignOutReason) => Promise<void>;
  staySignedIn: () => Promise<void>;
  /** After a sign-in step: read the session again and tell the other tabs. */
  signedIn: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

async function readSession(): Promise<SessionInfo | null> {
  try {
    return await get<SessionInfo>('/api/session');
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 401) return null;
    throw e;
  }
}

/**
 * The session as the server sees it, and automatic logoff (docs/decisions/0023-web-app.md).
 * GET /api/session is polled (it is not activity); two minutes before the server's limit a
 * warning offers "Stay signed in"; at the limit, or as soon as the server says the session is
 * gone, everything the app holds is dropped — query cache, component state, the DOM under the
 * root — and every tab shows the sign-in page.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [notice, setNotice] = useState<SignOutReason | null>(null);
  const [generation, setGeneration] = useState(0);
  const [warningDeadline, setWarningDeadline] = useState<number | null>(null);
  const query = useQuery({
    queryKey: ['session'],
    queryFn: readSession,
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  const session = query.isPending ? undefined : (query.data ?? null);
  const channel = useRef<ReturnType<typeof openSessionChannel> | null>(null);
  const signedInRef = useRef(false);
  signedInRef.current = session !== null && session !== undefined;
  const previous = useRef(session);
  /** True while this tab ends the session itself: other news of its end is then no news. */
  const ending = useRef(false);

  /** Forgets everything. The server's session is ended first when it may still be alive. */
  const dropEverything = useCallback(
    (reason: SignOutReason, broadcast: boolean) => {
      void queryClient.cancelQueries();
      queryClient.clear();
      queryClient.setQueryData(['session'], null);
      previous.current = null;
      signedInRef.current = false;
      setWarningDeadline(null);
      setNotice(reason);
      setGeneration((g) => g + 1);
      navigate('/signin', { replace: true });
      if (broadcast) channel.current?.post(`signed-out:${reason}`);
    },
    [queryClient, navigate],
  );

  const signOut = useCallback(
    async (reason: SignOutReason) => {
      // From here on a "no session" answer is expected, not news (see onSessionLost below).
      ending.current = true;
      try {
        // The server session is ended whenever it may still be alive; a failure here must not
        // keep anything on screen, so the local drop happens whatever the answer.
        if (reason === 'user' || reason === 'idle') {
          await post('/api/logout').catch(() => undefined);
        }
        dropEverything(reason, true);
      } finally {
        ending.current = false;
      }
    },
    [dropEverything],
  );

  const refresh = useCallback(async () => {
    await queryClient.invalidateQueries({ queryKey: ['session'], exact: true });
  }, [queryClient]);

  useEffect(() => {
    const onEvent = (e: SessionEvent) => {
      if (e.startsWith('signed-out:')) {
        // Another tab signed out (and says why): this one follows, unless already signed out.
        if (signedInRef.current && !ending.current) {
          dropEverything(e.slice('signed-out:'.length) as SignOutReason, false);
        }
      } else void refresh();
    };
    channel.current = openSessionChannel(onEvent);
    return () => channel.current?.close();
  }, [dropEverything, refresh]);

  // The server said "no session" to some request: the session ended there (idle, admin,
  // password change elsewhere). Nothing may stay on screen.
  useEffect(
    () =>
      onSessionLost(() => {
        if (signedInRef.current && !ending.current) dropEverything('ended', true);
      }),
    [dropEverything],
  );

  // A session that disappears between polls (while signed in) is a server-side end.
  useEffect(() => {
    if (previous.current && session === null) dropEverything('ended', true);
    previous.current = session;
  }, [session, dropEverything]);

  // The idle schedule: one timer at a time, re-planned after every answer from the server.
  useEffect(() => {
    if (!session) return;
    const plan = planIdle(session, Date.now());
    setWarningDeadline(plan.warn ? plan.deadline : null);
    const timer = window.setTimeout(() => {
      if (Date.now() >= plan.deadline) {
        void signOut('idle');
        return;
      }
      // Ask the server: another tab may have kept the session alive, or it may be gone.
      void readSession()
        .then((next) => {
          // Gone: idle if the warning was up (the clocks may differ a little), else ended there.
          if (next === null) dropEverything(plan.warn ? 'idle' : 'ended', true);
          else queryClient.setQueryData(['session'], next);
        })
        // Haven cannot be reached: keep the deadline; when it comes the page signs out alone.
        .catch(() => {
          const left = Math.max(0, Math.floor((plan.deadline - Date.now()) / 1000));
          queryClient.setQueryData(['session'], {
            ...session,
            idleExpiresInSeconds: Math.min(session.idleExpiresInSeconds, left),
            absoluteExpiresInSeconds: Math.min(session.absoluteExpiresInSeconds, left),
          });
        });
    }, plan.nextCheckInMs);
    return () => window.clearTimeout(timer);
  }, [session, signOut, dropEverything, queryClient]);

  const staySignedIn = useCallback(async () => {
    // The keep-alive (it counts as activity and does nothing else); then the new limits, and
    // the other tabs re-read theirs.
    await post('/api/session/touch').catch(() => undefined);
    await refresh();
    channel.current?.post('activity');
  }, [refresh]);

  const signedIn = useCallback(async () => {
    setNotice(null);
    await refresh();
    channel.current?.post('signed-in');
  }, [refresh]);

  const value = useMemo(
    () => ({ session, warningDeadline, notice, generation, signOut, staySignedIn, signedIn }),
    [session, warningDeadline, notice, generation, signOut, staySignedIn, signedIn],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
