import type { Grant } from '../access/index.js';
import { requestDraft, type AuditDraft, type RequestAuditFields } from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';
import type { RecordDeps } from '../records/index.js';
import type { MessageRepository } from '../store/index.js';
import type { MessageNotifications } from './notifications.js';

/** An account as messaging needs it: who it is linked to, never a name or an address. */
export interface LinkedAccount {
  id: string;
  roles: readonly string[];
  patientId: string | null;
  practitionerId: string | null;
}

/** The people side, as a port: the accounts that may take part in threads. */
export interface PeopleDirectory {
  /** Enabled accounts with a patient or practitioner link. */
  linkedAccounts(): Promise<LinkedAccount[]>;
}

/** What every messaging operation needs, assembled once by the composition root. */
export interface MessagingDeps {
  records: RecordDeps;
  messages: MessageRepository;
  directory: PeopleDirectory;
  notifications: MessageNotifications;
}

/** The thread's patient as a blind-index key: the messages table never holds the patient id. */
export function patientKey(deps: MessagingDeps, patient: string): Buffer {
  return deps.records.sealed.tokensForTerms([`messages|patient|${patient}`])[0]!;
}

export function patientIdOf(owner: string): string | undefined {
  return owner.startsWith('Patient/') ? owner.slice('Patient/'.length) : undefined;
}

/** An audit draft for this request, marked when the access rests on a break-glass grant. */
export function draft(ctx: RequestContext, f: RequestAuditFields, grant?: Grant): AuditDraft {
  const appId = ctx.principal.appId;
  const detail = {
    ...f.detail,
    ...(appId !== undefined && { app: appId }),
    ...(grant?.emergency !== undefined && { emergency: grant.emergency }),
  };
  return requestDraft(ctx, {
    ...f,
    ...(grant?.emergency !== undefined && { reason: 'emergency access (break-glass)' }),
    ...(Object.keys(detail).length > 0 && { detail }),
  });
}
