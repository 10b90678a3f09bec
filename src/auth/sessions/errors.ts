/** A session setting outside what Haven allows (e.g. an idle timeout above 15 minutes). */
export class SessionConfigError extends Error {
  readonly code = 'session-config';
}
