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
      serializers: {
        err: (e: unknown) => ({
          type: (e as Error)?.constructor?.name ?? 'Error',
          code: (e as { code?: unknown })?.code,
        }),
      },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
