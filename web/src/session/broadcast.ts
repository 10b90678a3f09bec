/**
 * Tells the app's other tabs what happened to the shared session. Messages carry an event name
 * and a fixed reason only, never a person or a record.
 */
export type SignOutReason = 'user' | 'idle' | 'ended' | 'password-changed';
export type SessionEvent = `signed-out:${SignOutReason}` | 'signed-in' | 'activity';

const NAME = 'haven-session';
const EVENTS = new Set<string>([
  'signed-out:user',
  'signed-out:idle',
  'signed-out:ended',
  'signed-out:password-changed',
  'signed-in',
  'activity',
]);

export function openSessionChannel(onEvent: (e: SessionEvent) => void): {
  post: (e: SessionEvent) => void;
  close: () => void;
} {
  if (typeof BroadcastChannel === 'undefined') return { post: () => {}, close: () => {} };
  const channel = new BroadcastChannel(NAME);
  channel.onmessage = (m: MessageEvent<unknown>) => {
    if (typeof m.data === 'string' && EVENTS.has(m.data)) onEvent(m.data as SessionEvent);
  };
  return { post: (e) => channel.postMessage(e), close: () => channel.close() };
}
