import type { AccessControl } from '../access/index.js';
import {
  requestDraft,
  type AuditDraft,
  type AuditRecorder,
  type RequestAuditFields,
} from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';
import type {
  CareRelationRepository,
  LeaseRepository,
  ResourceRepository,
} from '../store/index.js';
import { FhirError } from './errors.js';
import { isSupportedType } from './resource-types.js';
import type { SealedResources } from './sealed-resources.js';
import { FHIR_ID } from './validate.js';

/** What every record operation needs, passed in once at start-up. */
export interface RecordDeps {
  resources: ResourceRepository;
  /** The audit port: every entry, and every write with the entries that record it. */
  audit: AuditRecorder;
  sealed: SealedResources;
  clock: () => Date;
  /** Key for the encrypted paging cursors (search parameters never appear in links). */
  cursorKey: Buffer;
  binaryLimitBytes: number;
  newId: () => string;
  /** The access decision with its relationship facts (care teams, lab orders, grants). */
  access: AccessControl;
  /** Care relations: what a source holds now, and its new rows keyed and sealed for the write. */
  relations: CareRelationRepository;
  /** Leases for work that runs one process at a time (a conditional create's search and write). */
  leases: LeaseRepository;
}

export type AuditFields = RequestAuditFields;

export function draft(ctx: RequestContext, f: AuditFields): AuditDraft {
  const { appId } = ctx.principal;
  // A person acting through an app: the trail names the person and the app token.
  return requestDraft(ctx, appId === undefined ? f : { ...f, detail: { ...f.detail, app: appId } });
}

/** Appends audit entries and resolves once they are durable; rejects (fail closed) otherwise. */
export function audit(deps: RecordDeps, drafts: AuditDraft[]): Promise<void> {
  return deps.audit.append(...drafts);
}

export function assertType(resourceType: string): void {
  if (!isSupportedType(resourceType)) {
    throw new FhirError(404, 'not-supported', 'this server does not support that resource type');
  }
}

export function assertId(id: string): void {
  if (!FHIR_ID.test(id)) throw new FhirError(400, 'invalid', 'the id is not a valid FHIR id');
}
