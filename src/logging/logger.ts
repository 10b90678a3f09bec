import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that must never reach a log line, even if some code passes a request or error object
 * whole. Haven's own log calls pass ids, codes and route patterns only; this is the safety net.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.query',
  'req.body',
  'req.url',
  'body',
  'query',
  'resource',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.token',
  'token',
  'err.message',
  'err.stack',
];

/** The application logger: structured JSON, redacted, with no request bodies or queries. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'haven' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Errors are logged by code and type only: messages of third-party errors can quote input.
      serializers: { err: serializeError },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/**
 * An error as a log sees it: its type and code, the key it expected when a key could not be
 * unwrapped (a KEK id and a keyring path, so an operator pointed at the wrong keyring knows at
 * once), and the same for its cause, one level down (an HTTP error wrapping a key failure).
 */
export function serializeError(e: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: (e as Error)?.constructor?.name ?? 'Error',
    code: (e as { code?: unknown })?.code,
  };
  const expected = (e as { expected?: { kekId?: unknown; keyring?: unknown } })?.expected;
  if (expected && typeof expected.kekId === 'string' && typeof expected.keyring === 'string') {
    out.expectedKey = expected.kekId;
    out.keyring = expected.keyring;
  }
  const cause = (e as { cause?: unknown })?.cause;
  if (cause !== undefined && depth === 0) out.cause = serializeError(cause, 1);
  return out;
}
