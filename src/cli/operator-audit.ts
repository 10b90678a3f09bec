import os from 'node:os';
import type { AuditCore } from '../app/index.js';
import type { AuditAction } from '../audit/index.js';

/** Operator actions through the CLI are audited like any other, with the OS user as actor. */
export async function recordOperatorEvent(
  haven: Pick<AuditCore, 'audit'>,
  action: AuditAction,
  subjectId: string,
): Promise<void> {
  await haven.audit.append({
    action,
    outcome: 'success',
    actorType: 'system',
    actorId: `cli:${os.userInfo().username}`,
    detail: { subject: subjectId },
  });
}
