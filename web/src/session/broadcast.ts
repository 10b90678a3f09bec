/**
 * Tells the app's other tabs what happened to the shared session. Messages carry an event name
 * only, never a person or a record.
 */
export type SessionEvent = 'signed-out' | 'signed-in' | 'activity';

const NAME = 'haven-session';

export function openSessionChannel(onEvent: (e: SessionEvent) => void): {
  post: (e: SessionEvent) => void;
  close: () => void;
} {
  if (typeof BroadcastChannel === 'undefined') return { post: () => {}, close: () => {} };
  const channel = new BroadcastChannel(NAME);
  channel.onmessage = (m: MessageEvent<unknown>) => {
    if (m.data === 'signed-out' || m.data === 'signed-in' || m.data === 'activity') onEvent(m.data);
  };
  return { post: (e) => channel.postMessage(e), close: () => channel.close() };
}
