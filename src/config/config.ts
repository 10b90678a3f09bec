import path from 'node:path';
import { ConfigError } from './errors.js';
import { videoConfig, type VideoConfig } from './video-config.js';
import { alertConfig, type AlertConfig } from './alert-config.js';

/**
 * Haven's whole configuration, read once at start-up and passed down explicitly.
 * Nothing below the CLI reads process.env; that keeps tests in control of every setting.
 */
export interface HavenConfig {
  /** Data directory: SQLite database, keyring, TLS material and checkpoint exports live here. */
  dataDir: string;
  /** postgres://… selects PostgreSQL; undefined means the embedded SQLite database in dataDir. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema to use (tests use one per run); undefined means the server default. */
  databaseSchema: string | undefined;
  host: string;
  port: number;
  /** Operator-provided certificate; undefined means the generated development certificate. */
  tlsCertPath: string | undefined;
  tlsKeyPath: string | undefined;
  /** Path of the local keyring file (the key-encryption keys). */
  keyringPath: string;
  /**
   * A PKCS#11 token (HSM) holding the KEKs instead of the keyring: HAVEN_PKCS11_MODULE,
   * HAVEN_PKCS11_TOKEN_LABEL or HAVEN_PKCS11_SLOT, HAVEN_PKCS11_PIN. Undefined: local keyring.
   */
  pkcs11: Pkcs11Config | undefined;
  /** Largest accepted request body, in bytes (FHIR JSON and transaction bundles). */
  bodyLimitBytes: number;
  /** Largest Binary attachment, in bytes (before base64). */
  binaryLimitBytes: number;
  /** Log level for the redacting application logger. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** Audit checkpoints: sign a checkpoint at least every N entries or T milliseconds. */
  checkpointEveryEntries: number;
  checkpointEveryMs: number;
  /** Origin line of the audit checkpoints (C2SP tlog-checkpoint): identifies this installation's log. */
  auditOrigin: string;
  /** Optional URL that receives every signed checkpoint (POST, text/plain). */
  checkpointWebhook: string | undefined;
  /** redis://… keeps sessions in Redis (shared by several servers); undefined: in the database. */
  redisUrl: string | undefined;
  /**
   * Prefix of every key Haven keeps in Redis (HAVEN_REDIS_PREFIX, default `haven:`): two
   * installations sharing one Redis must not share sign-in throttles, sessions or challenges.
   */
  redisPrefix: string;
  /** Automatic logoff after this many idle minutes (at most 15 unless explicitly allowed). */
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  allowIdleAbove15: boolean;
  /** Whether people who are only patients must complete a second factor before PHI (default yes). */
  patientMfa: 'required' | 'optional';
  /**
   * Haven's public origin (scheme://host[:port]) as browsers see it, from --public-url or
   * HAVEN_PUBLIC_URL: the WebAuthn relying party and the same-origin check. Undefined: WebAuthn
   * uses https://localhost:<port>, and the same-origin check the request's Host.
   */
  publicUrl: string | undefined;
  /** How long a break-glass (emergency access) grant lasts, HAVEN_BREAK_GLASS_MINUTES (60). */
  breakGlassMinutes: number;
  /** Optional URL that receives every security alert as JSON (ids only, never PHI). */
  alertWebhook: string | undefined;
  /** Anomaly rules' thresholds, clinic hours and the other alert sinks (alert-config.ts). */
  alerts: AlertConfig;
  /** Requests one server process works on at once; past it, 503 + Retry-After (HAVEN_MAX_IN_FLIGHT). */
  maxInFlight: number;
  /** Seconds a client is told to wait (Retry-After) on a 503 (HAVEN_RETRY_AFTER_SECONDS). */
  retryAfterSeconds: number;
  /**
   * Requests one client address may make per window, on every route but the health probes; past
   * it, 429 with Retry-After (HAVEN_RATE_LIMIT, 3000 per HAVEN_RATE_LIMIT_WINDOW_SECONDS, 60).
   * Counted in Redis when REDIS_URL is set (shared by every server), under the installation's
   * HAVEN_REDIS_PREFIX followed by `rate:`. HAVEN_RATE_LIMIT=0 turns it off (behind a proxy
   * that limits per client, since behind one every request comes from the proxy's address).
   */
  rateLimit: RateLimitConfig | undefined;
  /** How long a Redis command may take before the request fails with 503 (HAVEN_REDIS_TIMEOUT_MS). */
  redisTimeoutMs: number;
  /**
   * HAVEN_SMTP_URL (smtp:// or smtps://): enrollment links approved under the two-person rule are
   * emailed to the person. Undefined: they are printed on the server's terminal (stderr).
   */
  smtpUrl: string | undefined;
  /** HAVEN_SMTP_FROM: the sender of those emails (default haven@<host of the public URL>). */
  smtpFrom: string;
  /** HAVEN_MESSAGE_NOTIFY_MINUTES: one new-message email per person and thread in this window (5). */
  messageNotifyDebounceMs: number;
  /**
   * HAVEN_CLINIC_TIME_ZONE (IANA name, default UTC): the zone the scheduler's calendar shows
   * weeks and times in (instants are stored in UTC; ADR 0026).
   */
  clinicTimeZone: string;
  /** HAVEN_REMINDER_LEAD_HOURS (default 24): how long before an appointment its reminder goes. */
  reminderLeadHours: number;
  /**
   * Host names (host or host:port) requests may carry besides the listen address, localhost and
   * the public URL's host, from HAVEN_ALLOWED_HOSTS (comma-separated). Any other Host gets 421.
   */
  allowedHosts: string[];
  /** Limits on slow or idle clients (milliseconds); see src/http/server-timeouts.ts. */
  timeouts: ServerTimeouts;
  /** Video visits: the room's time window, ICE/TURN servers, recording (video-config.ts). */
  video: VideoConfig;
  /** Oldest TLS version the server accepts (HAVEN_TLS_MIN_VERSION, default TLSv1.2). */
  tlsMinVersion: TlsVersion;
  /**
   * How long the operator keeps Haven's logs, in days (HAVEN_LOG_RETENTION_DAYS, default 2192:
   * six years, 45 CFR 164.316(b)(2)(i)); the compliance report checks it (src/compliance).
   */
  logRetentionDays: number;
  /** A log file the compliance report scans for PHI (HAVEN_LOG_FILE); undefined: not scanned. */
  logFile: string | undefined;
  /** Days without a sign-in after which the compliance report calls an account dormant (90). */
  dormantDays: number;
  /**
   * Bulk Data `$export` (ADR 0036): minutes a finished export's files are kept
   * (HAVEN_BULK_EXPORT_TTL_MINUTES, 60), unfinished exports per caller (…_PER_CALLER, 3), and
   * exports run at once per server (…_CONCURRENCY, 2).
   */
  bulkExport: { ttlMinutes: number; perCaller: number; concurrency: number };
}

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

export interface RateLimitConfig {
  max: number;
  windowSeconds: number;
  keyPrefix: string;
}

export interface ServerTimeouts {
  /** All request headers must arrive within this (HAVEN_HEADERS_TIMEOUT_MS, 20 s). */
  headersMs: number;
  /** The whole request, body included, must arrive within this (HAVEN_REQUEST_TIMEOUT_MS, 120 s). */
  requestMs: number;
  /** An idle kept-alive connection is closed after this (HAVEN_KEEP_ALIVE_TIMEOUT_MS, 5 s). */
  keepAliveMs: number;
  /** A connection with no traffic at all is closed after this (HAVEN_IDLE_TIMEOUT_MS, 300 s). */
  idleMs: number;
  /** How often the header and request limits are checked (HAVEN_TIMEOUT_CHECK_MS, 1 s). */
  checkEveryMs: number;
}

export interface ConfigInput {
  data?: string | undefined;
  databaseUrl?: string | undefined;
  databaseSchema?: string | undefined;
  host?: string | undefined;
  port?: number | string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  keyring?: string | undefined;
  logLevel?: string | undefined;
  /** serve's --public-url; wins over HAVEN_PUBLIC_URL. */
  publicUrl?: string | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;

/** Where the token is; the PIN is a function so printing or serialising the config omits it. */
export interface Pkcs11Config {
  module: string;
  tokenLabel: string | undefined;
  slot: number | undefined;
  pin: () => string;
}

export { ConfigError };

/** Flags win over HAVEN_* environment variables, which win over defaults. */
export function resolveConfig(flags: ConfigInput, env: NodeJS.ProcessEnv): HavenConfig {
  const dataDir = path.resolve(flags.data ?? env.HAVEN_DATA_DIR ?? './haven-data');
  const port = Number(flags.port ?? env.HAVEN_PORT ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError('port must be 0-65535');
  const cert = flags.cert ?? env.HAVEN_TLS_CERT;
  const key = flags.key ?? env.HAVEN_TLS_KEY;
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError('--cert and --key must be given together');
  }
  const logLevel = flags.logLevel ?? env.HAVEN_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const databaseUrl = flags.databaseUrl ?? env.DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      'DATABASE_URL must be a postgres:// URL (unset it to use embedded SQLite)',
    );
  }
  return {
    dataDir,
    databaseUrl: databaseUrl || undefined,
    databaseSchema: flags.databaseSchema ?? env.HAVEN_DB_SCHEMA,
    host: flags.host ?? env.HAVEN_HOST ?? '127.0.0.1',
    port,
    tlsCertPath: cert,
    tlsKeyPath: key,
    keyringPath: path.resolve(
      flags.keyring ?? env.HAVEN_KEYRING ?? path.join(dataDir, 'keyring.json'),
    ),
    pkcs11: pkcs11Config(env),
    bodyLimitBytes: positiveInt(env.HAVEN_BODY_LIMIT_BYTES, 16 * 1024 * 1024),
    binaryLimitBytes: positiveInt(env.HAVEN_BINARY_LIMIT_BYTES, 10 * 1024 * 1024),
    logLevel: logLevel as HavenConfig['logLevel'],
    checkpointEveryEntries: positiveInt(env.HAVEN_CHECKPOINT_ENTRIES, 1000),
    checkpointEveryMs: positiveInt(env.HAVEN_CHECKPOINT_MS, 10_000),
    auditOrigin: env.HAVEN_AUDIT_ORIGIN ?? 'haven.local/audit',
    checkpointWebhook: webhookUrl(env.HAVEN_CHECKPOINT_WEBHOOK),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: redisPrefix(env.HAVEN_REDIS_PREFIX),
    sessionIdleMinutes: positiveInt(env.HAVEN_SESSION_IDLE_MINUTES, 15),
    sessionAbsoluteHours: positiveInt(env.HAVEN_SESSION_ABSOLUTE_HOURS, 12),
    allowIdleAbove15: env.HAVEN_ALLOW_IDLE_ABOVE_15 === '1',
    patientMfa: patientMfa(env.HAVEN_PATIENT_MFA),
    publicUrl: publicOriginUrl(flags.publicUrl ?? env.HAVEN_PUBLIC_URL),
    breakGlassMinutes: positiveInt(env.HAVEN_BREAK_GLASS_MINUTES, 60),
    alertWebhook: webhookUrl(env.HAVEN_ALERT_WEBHOOK, 'HAVEN_ALERT_WEBHOOK'),
    alerts: alertConfig(env, (m) => new ConfigError(m)),
    maxInFlight: positiveInt(env.HAVEN_MAX_IN_FLIGHT, 64),
    retryAfterSeconds: positiveInt(env.HAVEN_RETRY_AFTER_SECONDS, 1),
    rateLimit: rateLimit(env, redisPrefix(env.HAVEN_REDIS_PREFIX)),
    redisTimeoutMs: positiveInt(env.HAVEN_REDIS_TIMEOUT_MS, 1000),
    smtpUrl: smtpUrl(env.HAVEN_SMTP_URL),
    messageNotifyDebounceMs: positiveInt(env.HAVEN_MESSAGE_NOTIFY_MINUTES, 5) * 60_000,
    smtpFrom:
      env.HAVEN_SMTP_FROM ||
      `haven@${new URL(publicOriginUrl(flags.publicUrl ?? env.HAVEN_PUBLIC_URL) ?? 'https://localhost').hostname}`,
    clinicTimeZone: timeZone(env.HAVEN_CLINIC_TIME_ZONE),
    reminderLeadHours: positiveInt(env.HAVEN_REMINDER_LEAD_HOURS, 24),
    allowedHosts: allowedHosts(env.HAVEN_ALLOWED_HOSTS),
    timeouts: serverTimeouts(env),
    video: videoConfig(env),
    tlsMinVersion: tlsMinVersion(env.HAVEN_TLS_MIN_VERSION),
    logRetentionDays: positiveInt(env.HAVEN_LOG_RETENTION_DAYS, 2192),
    logFile: env.HAVEN_LOG_FILE ? path.resolve(env.HAVEN_LOG_FILE) : undefined,
    dormantDays: positiveInt(env.HAVEN_DORMANT_DAYS, 90),
    bulkExport: {
      ttlMinutes: positiveInt(env.HAVEN_BULK_EXPORT_TTL_MINUTES, 60),
      perCaller: positiveInt(env.HAVEN_BULK_EXPORT_PER_CALLER, 3),
      concurrency: positiveInt(env.HAVEN_BULK_EXPORT_CONCURRENCY, 2),
    },
  };
}

function tlsMinVersion(raw: string | undefined): TlsVersion {
  if (raw === undefined || raw === '') return 'TLSv1.2';
  if (!(TLS_VERSIONS as readonly string[]).includes(raw))
    throw new ConfigError(`HAVEN_TLS_MIN_VERSION must be one of ${TLS_VERSIONS.join(', ')}`);
  return raw as TlsVersion;
}

function pkcs11Config(env: NodeJS.ProcessEnv): Pkcs11Config | undefined {
  const module = env.HAVEN_PKCS11_MODULE || undefined;
  const tokenLabel = env.HAVEN_PKCS11_TOKEN_LABEL || undefined;
  const slotText = env.HAVEN_PKCS11_SLOT || undefined;
  const pin = env.HAVEN_PKCS11_PIN;
  if (module === undefined) {
    if (tokenLabel ?? slotText ?? pin) {
      throw new ConfigError(
        'HAVEN_PKCS11_* settings need HAVEN_PKCS11_MODULE (the PKCS#11 library path)',
      );
    }
    return undefined;
  }
  if (!path.isAbsolute(module))
    throw new ConfigError('HAVEN_PKCS11_MODULE must be an absolute path');
  if ((tokenLabel === undefined) === (slotText === undefined)) {
    throw new ConfigError('set exactly one of HAVEN_PKCS11_TOKEN_LABEL and HAVEN_PKCS11_SLOT');
  }
  const slot = slotText === undefined ? undefined : Number(slotText);
  if (slot !== undefined && (!Number.isSafeInteger(slot) || slot < 0)) {
    throw new ConfigError('HAVEN_PKCS11_SLOT must be a slot id (a non-negative integer)');
  }
  // Never echo the PIN, not even its length.
  if (pin === undefined || pin === '')
    throw new ConfigError('HAVEN_PKCS11_PIN is required with HAVEN_PKCS11_MODULE');
  return { module, tokenLabel, slot, pin: () => pin };
}

const HOST_ENTRY =
  /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/;

function allowedHosts(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  for (const e of entries)
    if (!HOST_ENTRY.test(e))
      throw new ConfigError('HAVEN_ALLOWED_HOSTS must be comma-separated host or host:port names');
  return entries;
}

function rateLimit(env: NodeJS.ProcessEnv, redisPrefix: string): RateLimitConfig | undefined {
  if (env.HAVEN_RATE_LIMIT === '0') return undefined;
  const keyPrefix = `${redisPrefix}rate:`;
  return {
    max: positiveInt(env.HAVEN_RATE_LIMIT, 3000),
    windowSeconds: positiveInt(env.HAVEN_RATE_LIMIT_WINDOW_SECONDS, 60),
    keyPrefix,
  };
}

function serverTimeouts(env: NodeJS.ProcessEnv): ServerTimeouts {
  const t: ServerTimeouts = {
    headersMs: positiveInt(env.HAVEN_HEADERS_TIMEOUT_MS, 20_000),
    requestMs: positiveInt(env.HAVEN_REQUEST_TIMEOUT_MS, 120_000),
    keepAliveMs: positiveInt(env.HAVEN_KEEP_ALIVE_TIMEOUT_MS, 5_000),
    idleMs: positiveInt(env.HAVEN_IDLE_TIMEOUT_MS, 300_000),
    checkEveryMs: positiveInt(env.HAVEN_TIMEOUT_CHECK_MS, 1_000),
  };
  // Node refuses a header limit beyond the whole-request limit.
  if (t.headersMs > t.requestMs)
    throw new ConfigError('HAVEN_HEADERS_TIMEOUT_MS may not exceed HAVEN_REQUEST_TIMEOUT_MS');
  return t;
}

function smtpUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('HAVEN_SMTP_URL must be an smtp:// or smtps:// URL');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError('HAVEN_SMTP_URL must be an smtp:// or smtps:// URL');
  }
  return raw;
}

/** A Redis key prefix: printable, no spaces or glob characters (keys are listed by pattern). */
function redisPrefix(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'haven:';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(raw))
    throw new ConfigError(
      'HAVEN_REDIS_PREFIX may hold only letters, digits and _ . : - (at most 64)',
    );
  return raw;
}

function timeZone(raw: string | undefined): string {
  const zone = raw || 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError('HAVEN_CLINIC_TIME_ZONE must be an IANA time zone such as Europe/Berlin');
  }
  return zone;
}

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError('numeric HAVEN_* settings must be positive integers');
  return n;
}

function webhookUrl(
  raw: string | undefined,
  name = 'HAVEN_CHECKPOINT_WEBHOOK',
): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL`);
  }
  // Plain http only to this machine (a local relay); anything remote must be https.
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new ConfigError(`${name} must be https (http only to localhost)`);
  }
  return url.toString();
}

/**
 * The public URL's origin; https only (http only for localhost, as WebAuthn allows). A path (a
 * --public-url for links under a prefix) is allowed and ignored here: WebAuthn needs the origin.
 */
function publicOriginUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('HAVEN_PUBLIC_URL must be a URL such as https://haven.example.org');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && url.hostname === 'localhost')) {
    throw new ConfigError('HAVEN_PUBLIC_URL must be https (http only for localhost)');
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError('HAVEN_PUBLIC_URL must not carry credentials');
  }
  return url.origin;
}

function patientMfa(raw: string | undefined): 'required' | 'optional' {
  if (raw === undefined || raw === '' || raw === 'required') return 'required';
  if (raw === 'optional') return 'optional';
  throw new ConfigError('HAVEN_PATIENT_MFA must be required or optional');
}
