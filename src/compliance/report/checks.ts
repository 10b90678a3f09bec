import path from 'node:path';
import { summarize, type ComplianceCheck, type ComplianceReport } from './check.js';
import type { ComplianceFacts } from './facts.js';

const DAY = 86_400_000;
/** A backup older than this is not "recent"; a restore test older than this is stale. */
export const BACKUP_MAX_AGE_DAYS = 7;
export const RESTORE_TEST_MAX_AGE_DAYS = 90;
/** Six years (45 CFR 164.316(b)(2)(i)), counted with leap days. */
export const SIX_YEARS_DAYS = 2192;

type Check = (f: ComplianceFacts) => ComplianceCheck;

const check = (
  id: string,
  title: string,
  regulation: string,
  status: ComplianceCheck['status'],
  evidence: string,
  fix: string,
): ComplianceCheck => ({ id, title, regulation, status, evidence, fix });

const tlsMinVersion: Check = (f) =>
  check(
    'tls-min-version',
    'TLS 1.2 or newer only',
    '45 CFR 164.312(e)(1), (e)(2)(ii)',
    f.config.tlsMinVersion === 'TLSv1.2' || f.config.tlsMinVersion === 'TLSv1.3' ? 'pass' : 'fail',
    `minimum TLS version ${f.config.tlsMinVersion}; TLS 1.2 ciphers ECDHE + AEAD only`,
    'unset HAVEN_TLS_MIN_VERSION (default TLSv1.2) or set it to TLSv1.3',
  );

const tlsCertificate: Check = (f) => {
  const c = f.certificate;
  const id = 'tls-certificate';
  const title = 'TLS certificate valid';
  const reg = '45 CFR 164.312(e)(1)';
  if (c.error) return check(id, title, reg, 'fail', `cannot read ${c.file} (${c.error})`, certFix);
  if (new Date(c.validTo!) <= f.now)
    return check(id, title, reg, 'fail', `${c.source} certificate expired ${c.validTo}`, certFix);
  if (c.source === 'development' || c.selfSigned)
    return check(
      id,
      title,
      reg,
      'unknown',
      `${c.source} certificate, self-signed, valid until ${c.validTo}: whether clients reach ` +
        'Haven through a proxy with a publicly trusted certificate cannot be verified locally',
      certFix,
    );
  return check(id, title, reg, 'pass', `operator certificate valid until ${c.validTo}`, certFix);
};
const certFix =
  'serve with --cert/--key (HAVEN_TLS_CERT/HAVEN_TLS_KEY) from a trusted CA; renew before expiry';

const mfaPerRole: Check = (f) =>
  check(
    'mfa-enforcement',
    'Second factor required for every role that sees PHI',
    '45 CFR 164.312(d)',
    f.config.patientMfa === 'required' ? 'pass' : 'fail',
    `staff roles (physician, nurse, lab-assistant, admin, auditor): required before any PHI ` +
      `(src/access/decide.ts); patients: ${f.config.patientMfa}`,
    'unset HAVEN_PATIENT_MFA (default required)',
  );

const idleTimeout: Check = (f) =>
  check(
    'idle-timeout',
    'Automatic logoff after at most 15 idle minutes',
    '45 CFR 164.312(a)(2)(iii)',
    f.config.sessionIdleMinutes <= 15 ? 'pass' : 'fail',
    `idle logoff after ${f.config.sessionIdleMinutes} minutes; absolute session lifetime ` +
      `${f.config.sessionAbsoluteHours} hours`,
    'set HAVEN_SESSION_IDLE_MINUTES to 15 or less (and unset HAVEN_ALLOW_IDLE_ABOVE_15)',
  );

const encryption: Check = (f) =>
  check(
    'encryption-at-rest',
    'Records encrypted at rest',
    '45 CFR 164.312(a)(2)(iv)',
    'pass',
    `every record sealed with AES-256-GCM under a per-owner data key (always on); key provider: ` +
      `${f.keyProviderKind}`,
    'nothing to do; for production keep KEKs in an HSM (HAVEN_PKCS11_MODULE)',
  );

const keysApart: Check = (f) => {
  const id = 'keys-separate';
  const title = 'Keys not stored beside the data';
  const reg = '45 CFR 164.312(a)(2)(iv); 164.310(d)(1)';
  const fix =
    'move the keyring off the data volume (HAVEN_KEYRING=/etc/haven/keyring.json, mode 0600) ' +
    'or keep the KEKs in an HSM (HAVEN_PKCS11_MODULE)';
  if (f.keyProviderKind !== 'local-keyring')
    return check(id, title, reg, 'pass', `KEKs held by the ${f.keyProviderKind} provider`, fix);
  const inside = !path.relative(f.config.dataDir, f.config.keyringPath).startsWith('..');
  const beside = inside && f.engine === 'sqlite';
  return check(
    id,
    title,
    reg,
    beside ? 'fail' : 'pass',
    `local keyring ${f.config.keyringPath}; data: ${
      f.engine === 'sqlite' ? `SQLite in ${f.config.dataDir}` : 'PostgreSQL'
    }${beside ? ' (the keyring sits in the data directory: one copy of it holds both)' : ''}`,
    fix,
  );
};

const auditChain: Check = (f) => {
  const t = f.trail;
  const ok = !('error' in t) && t.ok;
  return check(
    'audit-chain',
    'Audit trail verified against its signed checkpoints',
    '45 CFR 164.312(b), (c)(1)',
    ok ? 'pass' : 'fail',
    'error' in t
      ? `verification could not run (${t.error})`
      : t.ok
        ? `${t.entries} entries, ${t.checkpointsChecked} signed checkpoints verified`
        : `verification FAILED at entry ${t.problem!.seq}: ${t.problem!.kind}`,
    'run `haven audit verify`; on failure follow the incident procedure (docs/operations/breach-response.md)',
  );
};

const checkpointsExported: Check = (f) => {
  const db = f.newestCheckpointSize;
  const out = f.newestExportedSize;
  const ok = db === undefined || (out !== undefined && out >= db);
  return check(
    'checkpoints-exported',
    'Signed checkpoints kept outside the database',
    '45 CFR 164.312(c)(2)',
    ok ? 'pass' : 'fail',
    `newest signed checkpoint covers ${db ?? 0} entries; newest exported file covers ${out ?? 0}` +
      `; webhook ${f.config.checkpointWebhook ? 'configured' : 'not configured'}`,
    'keep DATA/audit-checkpoints writable (ideally write-once storage) and set HAVEN_CHECKPOINT_WEBHOOK',
  );
};

const logRetention: Check = (f) =>
  check(
    'log-retention',
    'Logs and audit trail kept at least six years',
    '45 CFR 164.316(b)(2)(i); 164.312(b)',
    f.config.logRetentionDays >= SIX_YEARS_DAYS ? 'pass' : 'fail',
    `log retention ${f.config.logRetentionDays} days (HAVEN_LOG_RETENTION_DAYS); audit entries ` +
      'younger than six years cannot be archived (`haven audit archive`)',
    `set HAVEN_LOG_RETENTION_DAYS to at least ${SIX_YEARS_DAYS} and keep logs that long`,
  );

const ageDays = (f: ComplianceFacts, at: string): number =>
  Math.floor((f.now.getTime() - new Date(at).getTime()) / DAY);

const backup: Check = (f) => {
  const at = f.lastBackupCreated;
  return check(
    'backup-recent',
    `A backup within the last ${BACKUP_MAX_AGE_DAYS} days`,
    '45 CFR 164.308(a)(7)(ii)(A)',
    at !== undefined && ageDays(f, at) <= BACKUP_MAX_AGE_DAYS ? 'pass' : 'fail',
    at === undefined
      ? 'no backup-created entry in the audit trail'
      : `last backup ${at} (${ageDays(f, at)} days ago)`,
    'run `haven backup` on a schedule (at least weekly)',
  );
};

const restoreTest: Check = (f) => {
  const at = f.lastBackupVerified;
  return check(
    'restore-verified',
    `A restore test within the last ${RESTORE_TEST_MAX_AGE_DAYS} days`,
    '45 CFR 164.308(a)(7)(ii)(B), (D)',
    at !== undefined && ageDays(f, at) <= RESTORE_TEST_MAX_AGE_DAYS ? 'pass' : 'fail',
    at === undefined
      ? 'no backup-verified entry in the audit trail'
      : `last verified restore ${at} (${ageDays(f, at)} days ago)`,
    'run `haven backup verify` on the newest backup at least every 90 days',
  );
};

const logScan: Check = (f) => {
  const s = f.logScan;
  const id = 'log-phi-scan';
  const title = 'No PHI in recent logs';
  const reg = '45 CFR 164.312(b); 164.502(b)';
  const fix = 'find what logged the lines named, and redact it (src/logging); rotate the log';
  if (s === undefined)
    return check(
      id,
      title,
      reg,
      'unknown',
      'HAVEN_LOG_FILE is not set: Haven logs to standard output, so where the logs land is ' +
        'not visible from here',
      'set HAVEN_LOG_FILE to the file your log collector writes, then run the report again',
    );
  if ('error' in s) return check(id, title, reg, 'fail', `cannot read the log (${s.error})`, fix);
  const found = Object.entries(s.hits);
  return check(
    id,
    title,
    reg,
    found.length === 0 ? 'pass' : 'fail',
    found.length === 0
      ? `${s.lines} lines (${s.bytesScanned} bytes) of ${s.file} scanned, no PHI pattern found`
      : `${s.file}: ${found
          .map(([name, lines]) => `${name} on line(s) ${lines.slice(0, 5).join(', ')}`)
          .join('; ')}`,
    fix,
  );
};

const adminsWithoutMfa: Check = (f) => {
  const bad = f.users.filter(
    (u) => u.roles.includes('admin') && u.status !== 'disabled' && !u.mfaConfigured,
  );
  return check(
    'admins-mfa',
    'Every admin account has a second factor',
    '45 CFR 164.312(d); 164.308(a)(3)(ii)(B)',
    bad.length === 0 ? 'pass' : 'fail',
    bad.length === 0
      ? `${f.users.filter((u) => u.roles.includes('admin')).length} admin account(s), all with MFA`
      : `admin account(s) without MFA: ${bad.map((u) => u.id).join(', ')}`,
    'have each admin enroll TOTP or a passkey, or `haven user disable <id>`',
  );
};

const dormant: Check = (f) => {
  const cutoff = f.now.getTime() - f.config.dormantDays * DAY;
  const bad = f.users.filter(
    (u) => u.status !== 'disabled' && new Date(u.lastSignIn ?? u.createdAt).getTime() < cutoff,
  );
  return check(
    'dormant-accounts',
    `No enabled account unused for ${f.config.dormantDays} days`,
    '45 CFR 164.308(a)(3)(ii)(C), (a)(4)(ii)(C)',
    bad.length === 0 ? 'pass' : 'fail',
    bad.length === 0
      ? `${f.users.filter((u) => u.status !== 'disabled').length} enabled account(s), all used recently`
      : `dormant account(s): ${bad.map((u) => u.id).join(', ')}`,
    'review each account; `haven user disable <id>` those no longer needed (HAVEN_DORMANT_DAYS)',
  );
};

const openGrants: Check = (f) =>
  check(
    'break-glass-open',
    'No emergency access grant left open',
    '45 CFR 164.312(a)(2)(ii); 164.308(a)(1)(ii)(D)',
    f.openGrants.length === 0 ? 'pass' : 'fail',
    f.openGrants.length === 0
      ? 'no break-glass grant is open'
      : `${f.openGrants.length} open grant(s), held by ${[
          ...new Set(f.openGrants.map((g) => g.userId)),
        ].join(', ')}; the last expires ${f.openGrants
          .map((g) => g.expiresAt)
          .sort()
          .at(-1)}`,
    'review each grant (web app: Break-glass review) and end the ones no longer needed',
  );

export const CHECKS: readonly Check[] = [
  tlsMinVersion,
  tlsCertificate,
  mfaPerRole,
  idleTimeout,
  encryption,
  keysApart,
  auditChain,
  checkpointsExported,
  logRetention,
  backup,
  restoreTest,
  logScan,
  adminsWithoutMfa,
  dormant,
  openGrants,
];

/** The report for a set of facts (pure: the facts are read by gatherFacts). */
export function evaluate(f: ComplianceFacts): ComplianceReport {
  const checks = CHECKS.map((c) => c(f));
  return { generatedAt: f.now.toISOString(), engine: f.engine, checks, summary: summarize(checks) };
}
