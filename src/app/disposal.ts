import { randomUUID } from 'node:crypto';
import os from 'node:os';
import {
  DisposalError,
  OVERRIDE_REASONS,
  retentionBlocks,
  type OverrideReason,
  type RetentionRules,
} from '../backup/index.js';
import {
  ApprovalRepository,
  DisposalRepository,
  UserRepository,
  type DisposalCounts,
} from '../store/index.js';
import { ownerKeysOf } from './owner-keys.js';
import type { Haven } from './open-haven.js';
import { DISPOSAL_APPROVAL_TTL_MS } from './disposal-policy.js';

const KIND = 'patient-dispose';
const PATIENT_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export interface DisposalOptions {
  retention: RetentionRules;
  /** A documented reason to dispose before the retention period has passed. */
  override?: OverrideReason | undefined;
}

function repos(haven: Haven) {
  const { db, engine } = haven.database;
  return {
    disposals: new DisposalRepository(db, engine),
    approvals: new ApprovalRepository(db),
    users: new UserRepository(db),
  };
}

async function requireAdmin(haven: Haven, userId: string): Promise<void> {
  const u = await repos(haven).users.findById(userId);
  if (!u || !u.roles.includes('admin') || u.disabledAt !== null) {
    throw new DisposalError('not-an-admin', `user ${userId} is not an active admin`);
  }
}

function ownerOf(patientId: string): string {
  if (!PATIENT_ID.test(patientId)) {
    throw new DisposalError('not-found', 'not a patient id');
  }
  return `Patient/${patientId}`;
}

/** Refuses a record still under retention, unless a documented override reason is given. */
async function checkRetention(haven: Haven, owner: string, o: DisposalOptions): Promise<void> {
  if (o.override !== undefined && !OVERRIDE_REASONS.includes(o.override)) {
    throw new DisposalError(
      'bad-override',
      `--override must be one of ${OVERRIDE_REASONS.join(', ')}`,
    );
  }
  const { disposals } = repos(haven);
  if (await disposals.find(owner)) {
    throw new DisposalError('already-disposed', `${owner} has already been disposed of`);
  }
  const ages = await disposals.ages(owner);
  if (!ages.some((a) => a.resourceType === 'Patient')) {
    throw new DisposalError('not-found', `no record ${owner}`);
  }
  const blocked = retentionBlocks(o.retention, ages, haven.clock());
  if (blocked.length > 0 && o.override === undefined) {
    // The year only: a full date of a person's record is itself PHI.
    const year = blocked
      .map((b) => b.until.slice(0, 4))
      .sort()
      .at(-1);
    throw new DisposalError(
      'retention-not-passed',
      `the retention period of ${blocked.length} resource type(s) in ${owner} has not passed (not before ${year}); see HAVEN_RETENTION, or --override with a documented reason`,
    );
  }
}

/** First admin: records a disposal request that a second admin must approve. */
export async function requestDisposal(
  haven: Haven,
  patientId: string,
  adminId: string,
  o: DisposalOptions,
): Promise<{ approvalId: string; expiresAt: string }> {
  const owner = ownerOf(patientId);
  await requireAdmin(haven, adminId);
  await checkRetention(haven, owner, o);
  const now = haven.clock();
  const approvalId = randomUUID();
  const expiresAt = new Date(now.getTime() + DISPOSAL_APPROVAL_TTL_MS).toISOString();
  await repos(haven).approvals.insert({
    id: approvalId,
    kind: KIND,
    subjectId: owner,
    // Not sealed: the only payload is the override reason, a fixed code with no PHI.
    payloadSealed: Buffer.from(JSON.stringify({ override: o.override ?? null }), 'utf8'),
    requestedBy: adminId,
    requestedAt: now.toISOString(),
    expiresAt,
    decidedBy: null,
    decidedAt: null,
  });
  await audit(haven, 'patient-dispose-request', patientId, adminId, {
    approval: approvalId,
    override: o.override ?? 'none',
  });
  return { approvalId, expiresAt };
}

/**
 * Second admin: approves the request and the disposal happens at once. The data keys are
 * destroyed in the database and their backup escrow keys destroyed beside the keyring (so no
 * backup can bring them back), the rows are deleted, caches dropped, and `patient-disposed`
 * recorded. Audit entries about the patient stay (they hold ids, not PHI).
 */
export async function approveDisposal(
  haven: Haven,
  patientId: string,
  approvalId: string,
  adminId: string,
  retention: RetentionRules,
): Promise<DisposalCounts & { owner: string }> {
  const owner = ownerOf(patientId);
  await requireAdmin(haven, adminId);
  const { approvals, disposals } = repos(haven);
  const req = await approvals.find(approvalId);
  if (!req || req.kind !== KIND || req.subjectId !== owner) {
    throw new DisposalError('unknown-request', `no disposal request ${approvalId} for ${owner}`);
  }
  if (req.requestedBy === adminId) {
    throw new DisposalError(
      'same-admin',
      'the admin who requested a disposal cannot approve it: a second admin must',
    );
  }
  const { override } = JSON.parse(req.payloadSealed.toString('utf8')) as {
    override: OverrideReason | null;
  };
  await checkRetention(haven, owner, { retention, override: override ?? undefined });
  const now = haven.clock().toISOString();
  if (!(await approvals.decide(approvalId, adminId, now))) {
    throw new DisposalError('request-closed', `request ${approvalId} was decided or has expired`);
  }
  const counts = await disposals.dispose(
    {
      owner,
      disposedAt: now,
      requestedBy: req.requestedBy,
      approvedBy: adminId,
      approvalId,
      override,
    },
    haven.records.relations.patientKey(owner),
  );
  ownerKeysOf(haven.config).destroy(owner);
  haven.records.sealed.forgetOwner(owner);
  await audit(haven, 'patient-disposed', patientId, adminId, {
    approval: approvalId,
    requestedBy: req.requestedBy,
    override: override ?? 'none',
    resources: counts.resources,
    versions: counts.versions,
    dataKeys: counts.dataKeys,
  });
  return { ...counts, owner };
}

async function audit(
  haven: Haven,
  action: 'patient-dispose-request' | 'patient-disposed',
  patientId: string,
  adminId: string,
  detail: Record<string, string | number>,
): Promise<void> {
  await haven.writer.submit({
    onSuccess: () => [
      {
        action,
        outcome: 'success',
        actorType: 'user',
        actorId: adminId,
        patientId,
        resourceType: 'Patient',
        resourceId: patientId,
        detail: { ...detail, operator: `cli:${os.userInfo().username}` },
      },
    ],
    onFailure: () => [],
  });
}
