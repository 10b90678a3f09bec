import { ConfigError } from './errors.js';

/**
 * Video visits (ADR 0027). The room of an appointment opens `opensBeforeMinutes` before its
 * start and closes `closesAfterMinutes` after its end (HAVEN_VISIT_OPENS_BEFORE_MINUTES, 15;
 * HAVEN_VISIT_CLOSES_AFTER_MINUTES, 30). ICE servers: STUN URLs as given (HAVEN_STUN_URLS,
 * comma-separated, none by default); TURN URLs (HAVEN_TURN_URLS) only together with the
 * shared secret of coturn's `use-auth-secret` (HAVEN_TURN_SECRET), from which Haven derives
 * credentials that expire after HAVEN_TURN_TTL_SECONDS (600). Never a static TURN password.
 * Recording (ADR 0034) is off unless HAVEN_VISIT_RECORDING=1; a recording may hold at most
 * HAVEN_VISIT_RECORDING_MAX_BYTES (100 MiB), each uploaded chunk at most 1 MiB.
 */
export interface VideoConfig {
  opensBeforeMinutes: number;
  closesAfterMinutes: number;
  stunUrls: string[];
  turn: TurnConfig | undefined;
  recording: boolean;
  recordingMaxBytes: number;
}

export interface TurnConfig {
  urls: string[];
  /** A function, so printing or serialising the config never shows the secret. */
  secret: () => string;
  ttlSeconds: number;
}

export function videoConfig(env: NodeJS.ProcessEnv): VideoConfig {
  const stunUrls = urlList(env.HAVEN_STUN_URLS, /^stuns?:/, 'HAVEN_STUN_URLS');
  const turnUrls = urlList(env.HAVEN_TURN_URLS, /^turns?:/, 'HAVEN_TURN_URLS');
  const secret = env.HAVEN_TURN_SECRET ?? '';
  if (turnUrls.length > 0 !== (secret !== ''))
    throw new ConfigError('HAVEN_TURN_URLS and HAVEN_TURN_SECRET must be set together');
  if (secret !== '' && secret.length < 16)
    throw new ConfigError('HAVEN_TURN_SECRET must be at least 16 characters');
  const ttlSeconds = minutesOrSeconds(env.HAVEN_TURN_TTL_SECONDS, 600, 'HAVEN_TURN_TTL_SECONDS');
  if (ttlSeconds > 86_400) throw new ConfigError('HAVEN_TURN_TTL_SECONDS may be at most 86400');
  return {
    opensBeforeMinutes: minutesOrSeconds(
      env.HAVEN_VISIT_OPENS_BEFORE_MINUTES,
      15,
      'HAVEN_VISIT_OPENS_BEFORE_MINUTES',
    ),
    closesAfterMinutes: minutesOrSeconds(
      env.HAVEN_VISIT_CLOSES_AFTER_MINUTES,
      30,
      'HAVEN_VISIT_CLOSES_AFTER_MINUTES',
    ),
    stunUrls,
    turn: turnUrls.length > 0 ? { urls: turnUrls, secret: () => secret, ttlSeconds } : undefined,
    recording: env.HAVEN_VISIT_RECORDING === '1',
    recordingMaxBytes: recordingCap(env.HAVEN_VISIT_RECORDING_MAX_BYTES),
  };
}

function urlList(raw: string | undefined, scheme: RegExp, name: string): string[] {
  const urls = (raw ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  for (const u of urls)
    if (!scheme.test(u) || !/^[a-z]+:[A-Za-z0-9.\-[\]:]+(\?transport=(udp|tcp))?$/.test(u))
      throw new ConfigError(`${name} must be comma-separated ${String(scheme.source)} URLs`);
  return urls;
}

function minutesOrSeconds(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a whole number`);
  return n;
}

function recordingCap(raw: string | undefined): number {
  const n = minutesOrSeconds(raw, 100 * 1024 * 1024, 'HAVEN_VISIT_RECORDING_MAX_BYTES');
  if (n < 1024 * 1024 || n > 1024 * 1024 * 1024)
    throw new ConfigError('HAVEN_VISIT_RECORDING_MAX_BYTES must be between 1 MiB and 1 GiB');
  return n;
}
