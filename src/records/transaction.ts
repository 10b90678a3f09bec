import type { AuditedTransaction } from '../audit/index.js';
import type { RequestContext } from '../auth/index.js';
import { RelationNotPermittedError, SlotTakenError, VersionConflictError } from '../store/index.js';
import { FhirError } from './errors.js';
import { checkFinalNote } from './final-note.js';
import { checkSlotRule, slotTakenError, type WriteVia } from './slot-rule.js';
import type { Grant } from '../access/index.js';
import { authorizeType, markEmergency } from './record-access.js';
import { assertId, assertType, draft, type RecordDeps } from './record-context.js';
import { checkBeforeWrite, checkPrepared } from './write-access.js';
import { ownersInBatch } from './owner.js';
import { patientIdOfOwner } from './sealed-resources.js';
import { errorCode, prepareVersion, relationRefused, writePrepared } from './write-record.js';
import type { PreparedVersion } from './prepared-version.js';
import { oneAtATime } from './one-at-a-time.js';
import { CONDITIONAL_CREATES, matchCriteria, parseCriteria } from './conditional-create.js';

/** One entry's outcome: a version written, or (conditional create) the record that matched. */
export type TransactionEntryResult =
  | { prepared: PreparedVersion; created: boolean }
  | { matched: { resourceType: string; id: string; version: number; lastUpdated: string } };

export interface TransactionResult {
  entries: TransactionEntryResult[];
}

interface PlannedEntry {
  method: 'POST' | 'PUT';
  resourceType: string;
  id: string;
  resource: Record<string, unknown>;
  /** The POST entry's ifNoneExist criteria, if it is a conditional create. */
  ifNoneExist?: string;
}

const MAX_ENTRIES = 5000;

/**
 * A FHIR transaction Bundle (POST and PUT entries): all entries commit together or none does.
 * POSTed entries get server ids and every reference to their fullUrl (urn:uuid: or absolute)
 * is rewritten to the new Type/id, which is how a patient's whole Synthea bundle comes in.
 * `alsoInTransaction` writes a caller's own rows in the same transaction (scheduling's slot
 * reservation); if it throws, nothing of the Bundle is written and its error is rethrown.
 * `via` 'scheduling' is only for the scheduling service, which reserves slots itself: through
 * /fhir the booking rule applies (slot-rule.ts).
 */
export async function runTransaction(
  deps: RecordDeps,
  ctx: RequestContext,
  bundle: unknown,
  alsoInTransaction?: (trx: AuditedTransaction) => Promise<void>,
  via: WriteVia = 'fhir',
): Promise<TransactionResult> {
  const entries = readEntries(bundle);
  // A transaction with conditional creates runs one at a time with single conditional creates,
  // so a retried import cannot race itself into duplicates (conditional-create.ts).
  const conditional = entries.some((e) => typeof e.request?.ifNoneExist === 'string');
  return conditional
    ? oneAtATime(deps, CONDITIONAL_CREATES, () =>
        runEntries(deps, ctx, entries, alsoInTransaction, via),
      )
    : runEntries(deps, ctx, entries, alsoInTransaction, via);
}

async function runEntries(
  deps: RecordDeps,
  ctx: RequestContext,
  entries: RawEntry[],
  alsoInTransaction: ((trx: AuditedTransaction) => Promise<void>) | undefined,
  via: WriteVia,
): Promise<TransactionResult> {
  const refMap = new Map<string, string>();
  const planned: PlannedEntry[] = entries.map((e, i) => {
    const resource = e.resource as Record<string, unknown> | undefined;
    const method = e.request?.method;
    if (!resource || typeof resource.resourceType !== 'string')
      throw entryError(i, 'has no resource');
    const resourceType = resource.resourceType;
    assertType(resourceType);
    if (method === 'POST') {
      if (e.request?.url !== resourceType)
        throw entryError(i, 'POST url must be the resource type');
      const id = deps.newId();
      if (typeof e.fullUrl === 'string') refMap.set(e.fullUrl, `${resourceType}/${id}`);
      const ifNoneExist = e.request?.ifNoneExist;
      if (ifNoneExist !== undefined && typeof ifNoneExist !== 'string')
        throw entryError(i, 'has an ifNoneExist that is not a string');
      return { method, resourceType, id, resource, ifNoneExist };
    }
    if (method === 'PUT') {
      const m = /^([A-Za-z]+)\/([^/?]+)$/.exec(e.request?.url ?? '');
      if (!m || m[1] !== resourceType)
        throw entryError(i, 'PUT url must be Type/id of the resource');
      assertId(m[2]!);
      if (resource.id !== m[2]) throw entryError(i, 'resource id must match the PUT url');
      return { method, resourceType, id: m[2]!, resource };
    }
    throw new FhirError(
      400,
      'not-supported',
      `entry ${i}: only POST and PUT entries are supported in a transaction`,
    );
  });
  const typeGrants: Grant[] = [];
  for (const p of planned) {
    typeGrants.push(
      await authorizeType(
        deps,
        ctx,
        p.method === 'POST' ? 'create' : 'update',
        p.resourceType,
        p.method === 'PUT' ? p.id : undefined,
      ),
    );
  }
  // Conditional creates that match: no write, and references to their fullUrl go to the match.
  const matched = new Map<
    number,
    { resourceType: string; id: string; version: number; lastUpdated: string }
  >();
  for (const [i, p] of planned.entries()) {
    if (p.ifNoneExist === undefined) continue;
    const match = await matchCriteria(deps, ctx, p.resourceType, parseCriteria(p.ifNoneExist));
    if (match.kind === 'several')
      throw new FhirError(
        412,
        'multiple-matches',
        `entry ${i}: its ifNoneExist matches more than one resource`,
      );
    if (match.kind === 'none') continue;
    const head = await deps.resources.head(p.resourceType, match.id);
    if (!head) continue;
    const existing = await deps.resources.readCurrent(p.resourceType, match.id);
    matched.set(i, {
      resourceType: p.resourceType,
      id: match.id,
      version: head.version,
      lastUpdated: existing?.lastUpdated ?? '',
    });
    const fullUrl = entries[i]!.fullUrl;
    if (typeof fullUrl === 'string') refMap.set(fullUrl, `${p.resourceType}/${match.id}`);
  }
  const rewritten = planned.map(
    (p) =>
      rewriteReferences(p.resource, refMap) as Record<string, unknown> & { resourceType: string },
  );
  const inBundle = ownersInBatch(rewritten.map((r, i) => ({ ...r, id: planned[i]!.id })));
  const prepared: { prepared: PreparedVersion; created: boolean; grant: Grant }[] = [];
  const written = new Map<number, number>();
  for (const [i, p] of planned.entries()) {
    if (matched.has(i)) continue;
    written.set(i, prepared.length);
    const interaction = p.method === 'POST' ? 'create' : 'update';
    const resource = rewritten[i]!;
    const head = p.method === 'PUT' ? await deps.resources.head(p.resourceType, p.id) : undefined;
    const version = (head?.version ?? 0) + 1;
    const check = await checkBeforeWrite(
      deps,
      ctx,
      interaction,
      typeGrants[i]!,
      resource,
      p.id,
      head,
      inBundle,
    );
    await checkFinalNote(deps, ctx, check.body, p.id, head);
    const reserveSlots = await checkSlotRule(deps, ctx, check.body, p.id, head, via);
    const v = {
      ...(await prepareVersion(deps, check.body, p.id, version, head?.version, inBundle)),
      reserveSlots,
    };
    const grant = await checkPrepared(deps, ctx, interaction, check, v);
    prepared.push({ prepared: v, created: head === undefined, grant });
  }
  const audits = (outcome: 'success' | 'failure', e?: unknown) =>
    prepared.map(({ prepared: v, created, grant }) =>
      draft(
        ctx,
        markEmergency(
          {
            action: created ? 'create' : 'update',
            outcome,
            resourceType: v.resourceType,
            resourceId: v.id,
            resourceVersion: v.version,
            patientId: patientIdOfOwner(v.owner),
            detail:
              e === undefined
                ? { via: 'transaction' }
                : { via: 'transaction', error: errorCode(e) },
          },
          grant,
        ),
      ),
    );
  try {
    await deps.audit.transact({
      run: async (trx) => {
        for (const { prepared: v } of prepared) await writePrepared(trx, v);
        // A caller's own rows that must commit or fail with these versions (a slot reservation).
        await alsoInTransaction?.(trx);
      },
      onSuccess: () => audits('success'),
      onFailure: (e) => audits('failure', e),
    });
  } catch (e) {
    if (e instanceof RelationNotPermittedError) throw relationRefused();
    if (e instanceof SlotTakenError && via === 'fhir') throw slotTakenError();
    if (e instanceof VersionConflictError)
      throw new FhirError(
        409,
        'conflict',
        'a resource in the transaction was changed concurrently; nothing was written',
      );
    throw e;
  }
  return {
    entries: planned.map((_, i) => {
      const m = matched.get(i);
      if (m) return { matched: m };
      const { prepared: v, created } = prepared[written.get(i)!]!;
      return { prepared: v, created };
    }),
  };
}

interface RawEntry {
  fullUrl?: unknown;
  resource?: unknown;
  request?: { method?: unknown; url?: string; ifNoneExist?: unknown };
}

function readEntries(bundle: unknown): RawEntry[] {
  const b = bundle as { resourceType?: unknown; type?: unknown; entry?: unknown };
  if (typeof bundle !== 'object' || bundle === null || b.resourceType !== 'Bundle') {
    throw new FhirError(400, 'invalid', 'POST to the base URL takes a transaction or batch Bundle');
  }
  if (b.type !== 'transaction')
    throw new FhirError(400, 'not-supported', 'Bundle.type must be transaction or batch');
  if (!Array.isArray(b.entry) || b.entry.length === 0)
    throw new FhirError(400, 'invalid', 'the transaction has no entries');
  if (b.entry.length > MAX_ENTRIES)
    throw new FhirError(400, 'too-costly', `a transaction may hold at most ${MAX_ENTRIES} entries`);
  // `entry: [null]` or a string entry would otherwise fail as a TypeError (500) further on.
  b.entry.forEach((e: unknown, i) => {
    if (!isObject(e)) throw entryError(i, 'is not an object');
    const r = (e as { request?: unknown }).request;
    if (r !== undefined && !isObject(r)) throw entryError(i, 'has a request that is not an object');
  });
  return b.entry as RawEntry[];
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function entryError(i: number, what: string): FhirError {
  return new FhirError(400, 'invalid', `entry ${i} ${what}`);
}

/** Deep copy with every Reference.reference found in the map replaced. */
function rewriteReferences(value: unknown, map: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, map));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      k === 'reference' && typeof v === 'string' && map.has(v)
        ? map.get(v)
        : rewriteReferences(v, map);
  }
  return out;
}
