/**
 * What one audit entry says. Ids only: no names, no search values, no resource content.
 * The leaf that the Merkle tree hashes is the canonical encoding of exactly these fields.
 */
export type AuditAction =
  | 'read'
  | 'vread'
  | 'search'
  | 'create'
  | 'update'
  | 'delete'
  | 'history'
  | 'transaction'
  | 'export'
  | 'attachment-download'
  | 'break-glass'
  | 'break-glass-end'
  | 'break-glass-list'
  | 'login'
  | 'logout'
  | 'token-rejected'
  | 'client-create'
  | 'client-revoke'
  | 'audit-read'
  | 'api-denied'
  | 'user-create'
  | 'enroll'
  | 'login-password'
  | 'login-totp'
  | 'login-recovery-code'
  | 'login-webauthn'
  | 'lockout'
  | 'user-unlock'
  | 'mfa-enroll'
  | 'mfa-reset'
  | 'mfa-remove'
  | 'password-change'
  | 'password-reset-issued'
  | 'user-disable'
  | 'invitation-resend'
  | 'user-roles-change'
  | 'privilege-request'
  | 'privilege-approve'
  | 'user-list'
  /** Key lifecycle (haven keys): ids and counts only, never key material. */
  /** Notifications (src/notify): sent, or refused by the PHI check; template and channel only. */
  | 'notification-send'
  | 'notification-refused'
  | 'key-rotate'
  | 'key-retire'
  /** Video visits (ADR 0027): a person entered (or was refused), was admitted, hung up. */
  | 'visit-start'
  | 'visit-admit'
  | 'visit-end'
  /** Visit recording (ADR 0034): consent given or withdrawn, a recording started or stopped. */
  | 'recording-consent'
  | 'recording-withdraw'
  | 'recording-start'
  | 'recording-stop'
  | 'backup-created'
  | 'backup-verified'
  | 'backup-restored'
  | 'patient-dispose-request'
  | 'patient-disposed'
  /**
   * Compliance (src/compliance): the report, security incidents and the de-identified export.
   * The report reads backups' `backup-created` / `backup-verified` entries as its evidence.
   */
  | 'compliance-report'
  | 'incident-create'
  | 'incident-update'
  | 'incident-read'
  | 'incident-affected'
  | 'incident-notice'
  | 'deidentified-export'
  /**
   * Bulk Data `$export` (src/bulk, ADR 0036): kick-off, completion (with one `export` entry per
   * patient it contained), failure, cancellation; and each NDJSON file's download.
   */
  | 'bulk-export'
  | 'bulk-export-download'
  /** A request refused (4xx) that no capability recorded itself: src/http/refusal-audit.ts. */
  | 'request-refused'
  /** An auditor acknowledged a security alert (src/alerts, ADR 0030). */
  | 'alert-acknowledge'
  /**
   * SMART App Launch (ADR 0035): an app asked, the person approved or declined, a token was
   * issued, refreshed or revoked; apps registered or revoked; an EHR launch issued.
   */
  | 'smart-authorize'
  | 'smart-consent-grant'
  | 'smart-consent-deny'
  | 'smart-token-issue'
  | 'smart-token-refresh'
  | 'smart-token-revoke'
  | 'smart-client-create'
  | 'smart-client-revoke'
  | 'smart-launch';

export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditDraft {
  action: AuditAction;
  outcome: AuditOutcome;
  actorType: 'client' | 'user' | 'system' | 'anonymous';
  actorId: string | null;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  resourceVersion?: number | undefined;
  /** The patient whose record was touched (for accounting of disclosures). */
  patientId?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
  reason?: string | undefined;
  /** Small, PHI-free facts: searched parameter names, result counts, error codes. */
  detail?: Record<string, string | number | boolean | string[]> | undefined;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actorType: string;
  actorId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  resourceVersion: number | null;
  patientId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  reason: string | null;
  detail: string | null;
}

export function entryFromDraft(seq: number, at: string, d: AuditDraft): AuditEntry {
  return {
    seq,
    at,
    actorType: d.actorType,
    actorId: d.actorId === null ? null : storable(d.actorId),
    action: d.action,
    resourceType: storable(d.resourceType),
    resourceId: storable(d.resourceId),
    resourceVersion: d.resourceVersion ?? null,
    patientId: storable(d.patientId),
    outcome: d.outcome,
    ip: storable(d.ip),
    userAgent: d.userAgent ? storable(d.userAgent.slice(0, 256)) : null,
    requestId: storable(d.requestId),
    reason: d.reason ? storable(d.reason.slice(0, 1000)) : null,
    detail: d.detail ? JSON.stringify(d.detail) : null,
  };
}

/**
 * Text both engines store exactly as given, so the leaf hashed now is the leaf verified later.
 * A NUL (PostgreSQL refuses it, failing the whole batch: every request in it would get a 503)
 * and a lone surrogate (stored as U+FFFD by both drivers, so the stored entry would no longer
 * match its leaf) become U+FFFD here. Ids in entries can come from a URL (`/Patient/%00`);
 * found by the route fuzzing (issue 13 item 11). JSON `detail` escapes both already.
 */
function storable(text: string | undefined): string | null {
  if (text === undefined) return null;
  return text
    .replaceAll('\0', '\uFFFD')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/**
 * The leaf's field order. Encoder and decoder both walk this one list, so they cannot drift
 * apart; changing it changes every leaf hash, so it is versioned by LEAF_FORMAT.
 */
const LEAF_FIELDS = [
  'seq',
  'at',
  'actorType',
  'actorId',
  'action',
  'resourceType',
  'resourceId',
  'resourceVersion',
  'patientId',
  'outcome',
  'ip',
  'userAgent',
  'requestId',
  'reason',
  'detail',
] as const satisfies readonly (keyof AuditEntry)[];

const LEAF_FORMAT = 'haven-audit/1';

/**
 * Canonical leaf bytes: a JSON array in a fixed field order, version-tagged, so the same entry
 * always hashes the same on every engine and any changed field changes the leaf.
 */
export function encodeLeaf(e: AuditEntry): Buffer {
  return Buffer.from(JSON.stringify([LEAF_FORMAT, ...LEAF_FIELDS.map((f) => e[f])]));
}

/** Inverse of encodeLeaf, for verifiers that hold only exported leaves. */
export function decodeLeaf(leaf: Buffer): AuditEntry {
  const a = JSON.parse(leaf.toString('utf8')) as unknown[];
  if (!Array.isArray(a) || a.length !== LEAF_FIELDS.length + 1 || a[0] !== LEAF_FORMAT) {
    throw new Error('not a Haven audit leaf');
  }
  return Object.fromEntries(LEAF_FIELDS.map((f, i) => [f, a[i + 1]])) as unknown as AuditEntry;
}
