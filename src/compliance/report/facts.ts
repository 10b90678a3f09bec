import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Haven } from '../../app/index.js';
import { verifyTrail, type VerifyReport } from '../../audit/index.js';
import type { HavenConfig } from '../../config/index.js';
import { scanLogFile, type LogScanResult } from './log-scan.js';

/** Successful sign-in steps: the newest one per account is its last sign-in. */
const SIGN_IN_ACTIONS = [
  'login',
  'login-password',
  'login-totp',
  'login-recovery-code',
  'login-webauthn',
] as const;

export interface CertificateFacts {
  source: 'operator' | 'development';
  file: string;
  validTo?: string;
  selfSigned?: boolean;
  /** Why the certificate could not be read (file missing, not PEM). */
  error?: string;
}

export interface UserFacts {
  id: string;
  roles: string[];
  status: string;
  mfaConfigured: boolean;
  createdAt: string;
  lastSignIn: string | undefined;
}

/** Everything the checks look at, read once from the running installation. */
export interface ComplianceFacts {
  now: Date;
  config: HavenConfig;
  engine: 'sqlite' | 'postgres';
  keyProviderKind: string;
  certificate: CertificateFacts;
  trail: VerifyReport | { error: string };
  newestCheckpointSize: number | undefined;
  newestExportedSize: number | undefined;
  lastBackupCreated: string | undefined;
  lastBackupVerified: string | undefined;
  logScan: LogScanResult | { error: string } | undefined;
  users: UserFacts[];
  openGrants: { userId: string; expiresAt: string }[];
}

/** The parts of a running Haven the report reads. */
export type ComplianceSource = Pick<
  Haven,
  'config' | 'clock' | 'database' | 'provider' | 'auditRepo' | 'auditKey' | 'people' | 'breakGlass'
>;

export async function gatherFacts(h: ComplianceSource): Promise<ComplianceFacts> {
  const [trail, checkpoints, created, verified, users, lastSignIn, openGrants] = await Promise.all([
    verifyTrail(h.auditRepo, [h.auditKey.verifier], {
      externalCheckpoints: newestExportedNote(h.config.dataDir),
    }).catch((e: unknown) => ({ error: errorName(e) })),
    h.auditRepo.checkpoints(),
    latestSuccess(h, 'backup-created'),
    latestSuccess(h, 'backup-verified'),
    h.people.users.list(),
    h.auditRepo.lastSuccessByActor(SIGN_IN_ACTIONS),
    h.breakGlass.openGrantSummary(),
  ]);
  return {
    now: h.clock(),
    config: h.config,
    engine: h.database.engine,
    keyProviderKind: h.provider.kind,
    certificate: certificateFacts(h.config),
    trail,
    newestCheckpointSize: checkpoints.at(-1)?.size,
    newestExportedSize: newestExportedSize(h.config.dataDir),
    lastBackupCreated: created,
    lastBackupVerified: verified,
    logScan: logScan(h.config.logFile),
    // Emails are not kept: the report names accounts by id only.
    users: users.map((u) => ({
      id: u.id,
      roles: u.roles,
      status: u.status,
      mfaConfigured: u.mfaConfigured,
      createdAt: u.createdAt,
      lastSignIn: lastSignIn.get(u.id),
    })),
    openGrants,
  };
}

async function latestSuccess(h: ComplianceSource, action: string): Promise<string | undefined> {
  const { rows } = await h.auditRepo.search({ action, outcome: 'success' }, 1, 0);
  return rows[0]?.at;
}

function certificateFacts(config: HavenConfig): CertificateFacts {
  const source = config.tlsCertPath ? 'operator' : 'development';
  const file = config.tlsCertPath ?? path.join(config.dataDir, 'tls', 'dev-cert.pem');
  try {
    const cert = new crypto.X509Certificate(fs.readFileSync(file));
    return {
      source,
      file,
      validTo: new Date(cert.validTo).toISOString(),
      selfSigned: cert.issuer === cert.subject && cert.checkIssued(cert),
    };
  } catch (e) {
    return { source, file, error: errorName(e) };
  }
}

function exportedCheckpoints(dataDir: string): string[] {
  const dir = path.join(dataDir, 'audit-checkpoints');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^checkpoint-\d{12}\.note$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function newestExportedSize(dataDir: string): number | undefined {
  const newest = exportedCheckpoints(dataDir).at(-1);
  return newest === undefined ? undefined : Number(/(\d{12})\.note$/.exec(newest)![1]);
}

function newestExportedNote(dataDir: string): string[] {
  const newest = exportedCheckpoints(dataDir).at(-1);
  return newest === undefined ? [] : [fs.readFileSync(newest, 'utf8')];
}

function logScan(file: string | undefined): ComplianceFacts['logScan'] {
  if (file === undefined) return undefined;
  try {
    return scanLogFile(file);
  } catch (e) {
    return { error: errorName(e) };
  }
}

/** An error's code or class, never its message (which may quote a path or a value). */
function errorName(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'error';
}
