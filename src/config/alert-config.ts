/**
 * The anomaly rules' thresholds and the alert sinks (ADR 0030), from HAVEN_ALERT_* variables.
 * The defaults are the issue's examples, checked by `npm run eval:alerts` (docs/alerts.md).
 */
export interface AlertSettings {
  /** One person opens this many distinct patients' records within the window. */
  volume: { patients: number; windowMinutes: number };
  /** Failed sign-in steps per account and per address within the window. */
  failedLogins: { perAccount: number; perAddress: number; windowMinutes: number };
  /** Clinic hours: chart reads outside them (on the listed weekdays, 0 = Sunday) are after-hours. */
  clinicHours: { open: string; close: string; days: number[]; timeZone: string };
  /** Exports per person within the window, or one export of at least `resources` resources. */
  massExport: { exports: number; resources: number; windowMinutes: number };
  /** Searches per person within the window. */
  searchSweep: { searches: number; windowMinutes: number };
  /** A second alert of one rule about one subject within this window updates the first. */
  dedupMinutes: number;
}

export interface AlertConfig {
  /** HAVEN_ALERT_RULES=off stops the rules engine (for measuring its cost; on by default). */
  enabled: boolean;
  settings: AlertSettings;
  /** HAVEN_ALERT_WEBHOOK_SECRET: the HMAC key of the webhook's X-Haven-Signature. */
  webhookSecret: string | undefined;
  /** HAVEN_ALERT_SYSLOG: udp://host:port or tcp://host:port (RFC 5424). */
  syslog: { host: string; port: number; protocol: 'udp' | 'tcp' } | undefined;
  /** HAVEN_ALERT_EMAIL: comma-separated addresses, sent through HAVEN_SMTP_URL. */
  emailTo: string[];
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  volume: { patients: 200, windowMinutes: 10 },
  failedLogins: { perAccount: 5, perAddress: 20, windowMinutes: 15 },
  clinicHours: { open: '07:00', close: '19:00', days: [1, 2, 3, 4, 5], timeZone: 'UTC' },
  massExport: { exports: 10, resources: 1000, windowMinutes: 60 },
  searchSweep: { searches: 60, windowMinutes: 10 },
  dedupMinutes: 60,
};

export function alertConfig(
  env: Record<string, string | undefined>,
  fail: (message: string) => Error,
): AlertConfig {
  const n = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v <= 0) throw fail(`${name} must be a positive integer`);
    return v;
  };
  const d = DEFAULT_ALERT_SETTINGS;
  const hhmm = (name: string, fallback: string) => {
    const v = env[name] || fallback;
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) throw fail(`${name} must be HH:MM`);
    return v;
  };
  const timeZone = env.HAVEN_CLINIC_TIME_ZONE || d.clinicHours.timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw fail('HAVEN_CLINIC_TIME_ZONE must be an IANA time zone');
  }
  const days = env.HAVEN_CLINIC_DAYS
    ? env.HAVEN_CLINIC_DAYS.split(',').map((s) => Number(s.trim()))
    : d.clinicHours.days;
  if (days.some((x) => !Number.isInteger(x) || x < 0 || x > 6))
    throw fail('HAVEN_CLINIC_DAYS must list weekdays 0-6 (0 = Sunday)');
  return {
    enabled: env.HAVEN_ALERT_RULES !== 'off',
    settings: {
      volume: {
        patients: n('HAVEN_ALERT_VOLUME_PATIENTS', d.volume.patients),
        windowMinutes: n('HAVEN_ALERT_VOLUME_MINUTES', d.volume.windowMinutes),
      },
      failedLogins: {
        perAccount: n('HAVEN_ALERT_FAILED_LOGINS_ACCOUNT', d.failedLogins.perAccount),
        perAddress: n('HAVEN_ALERT_FAILED_LOGINS_ADDRESS', d.failedLogins.perAddress),
        windowMinutes: n('HAVEN_ALERT_FAILED_LOGINS_MINUTES', d.failedLogins.windowMinutes),
      },
      clinicHours: {
        open: hhmm('HAVEN_CLINIC_OPENS', d.clinicHours.open),
        close: hhmm('HAVEN_CLINIC_CLOSES', d.clinicHours.close),
        days,
        timeZone,
      },
      massExport: {
        exports: n('HAVEN_ALERT_EXPORTS', d.massExport.exports),
        resources: n('HAVEN_ALERT_EXPORT_RESOURCES', d.massExport.resources),
        windowMinutes: n('HAVEN_ALERT_EXPORT_MINUTES', d.massExport.windowMinutes),
      },
      searchSweep: {
        searches: n('HAVEN_ALERT_SEARCHES', d.searchSweep.searches),
        windowMinutes: n('HAVEN_ALERT_SEARCH_MINUTES', d.searchSweep.windowMinutes),
      },
      dedupMinutes: n('HAVEN_ALERT_DEDUP_MINUTES', d.dedupMinutes),
    },
    webhookSecret: env.HAVEN_ALERT_WEBHOOK_SECRET || undefined,
    syslog: syslogTarget(env.HAVEN_ALERT_SYSLOG, fail),
    emailTo: (env.HAVEN_ALERT_EMAIL ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

function syslogTarget(raw: string | undefined, fail: (m: string) => Error): AlertConfig['syslog'] {
  if (!raw) return undefined;
  const m = /^(udp|tcp):\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535)
    throw fail('HAVEN_ALERT_SYSLOG must be udp://host:port or tcp://host:port');
  return { protocol: m[1] as 'udp' | 'tcp', host: m[2]!.replace(/^\[|\]$/g, ''), port };
}
