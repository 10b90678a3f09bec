/**
 * Fast seeding for `npm run bench:backup`: synthetic patients written straight into an open
 * Haven with the production write path's own pieces — `SealedResources.seal` (the vault: a new
 * data key per patient, made and wrapped through the key provider and stored through the group
 * commit, then AES-GCM under it), `SealedResources.tokensFor` (blind-index tokens) and records'
 * `writePrepared` (the version, head and token rows) — with one `create` audit entry per patient
 * committed with its rows, as a FHIR create writes them. What is skipped is HTTP, TLS, auth, the
 * access decision and FHIR validation (the contents are fixed and valid), so rows are in the
 * production format byte for byte, without a second encryption path.
 *
 * Blind-index tokens are the slow part of a write (FHIRPath over every search parameter, ~5 ms
 * a patient here). Each search parameter's tokens come from its own values, so a patient's
 * tokens are its template's tokens plus its identifier's; the seeder computes them that way and
 * checks, for the first patients, that the union equals `tokensFor` of the whole resource.
 */
import crypto from 'node:crypto';
import type { AuditDraft } from '../src/audit/index.js';
import { writePrepared, type PreparedVersion, type RecordDeps } from '../src/records/index.js';
import { ID_SYSTEM, patientTemplates } from './seed.js';

type Json = Record<string, unknown>;

/** Patients sealed concurrently and committed per transaction (with their audit entries). */
const BATCH = 500;
/** Seals in flight at once (each reads the data-key table; the PostgreSQL pool queue is bounded). */
const CONCURRENT = 50;
/** Patients whose union-of-tokens is checked against `tokensFor` of the whole resource. */
const CHECKED = 60;

/**
 * A bench patient: a Synthea template's name, gender, birth date and telecom (synthetic
 * people), with a fresh identifier. Address, extensions and the rest are left out to keep the
 * 100,000-patient population within the bench's time (see docs/performance.md).
 */
function compact(t: Json): Json {
  const out: Json = { resourceType: 'Patient' };
  for (const k of ['name', 'gender', 'birthDate', 'telecom']) if (t[k] !== undefined) out[k] = t[k];
  return out;
}

const key = (tokens: Buffer[]) => new Set(tokens.map((b) => b.toString('hex')));

/** A seeded patient the caller can read back and search for. */
export interface SeededPatient {
  id: string;
  identifier: string;
}

export async function seedPatientsDirect(
  records: RecordDeps,
  count: number,
  onProgress?: (done: number) => void,
  onPatient?: (p: SeededPatient) => void,
): Promise<{ tokensPerPatient: number; jsonBytesPerPatient: number }> {
  const templates = patientTemplates().map(compact);
  const templateTokens = templates.map((t) => records.sealed.tokensFor({ ...t, id: 'x' }));
  let tokens = 0;
  let jsonBytes = 0;
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    const prepared: PreparedVersion[] = [];
    for (let c = 0; c < n; c += CONCURRENT) {
      const part = await Promise.all(
        Array.from(
          { length: Math.min(CONCURRENT, n - c) },
          async (_, k): Promise<PreparedVersion> => {
            const i = c + k;
            const t = (start + i) % templates.length;
            const id = records.newId();
            const owner = `Patient/${id}`;
            const lastUpdated = records.clock().toISOString();
            const identifier = [{ system: ID_SYSTEM, value: crypto.randomUUID() }];
            const resource = {
              resourceType: 'Patient',
              id,
              meta: { versionId: '1', lastUpdated },
              identifier,
              ...templates[t],
            };
            const json = Buffer.from(JSON.stringify(resource), 'utf8');
            const own = records.sealed.tokensFor({ resourceType: 'Patient', id, identifier });
            const all = [...templateTokens[t]!, ...own];
            if (start + i < CHECKED) {
              const whole = key(records.sealed.tokensFor(resource));
              const union = key(all);
              if (whole.size !== union.size || [...whole].some((x) => !union.has(x)))
                throw new Error('bench seed: token union differs from tokensFor(resource)');
            }
            tokens += all.length;
            jsonBytes += json.length;
            onPatient?.({ id, identifier: identifier[0]!.value });
            return {
              resourceType: 'Patient',
              id,
              version: 1,
              expectedVersion: undefined,
              owner,
              lastUpdated,
              json,
              sealed: await records.sealed.seal('Patient', id, 1, owner, json),
              tokens: all,
              relations: undefined,
            };
          },
        ),
      );
      prepared.push(...part);
    }
    await records.audit.transact({
      run: async (trx) => {
        for (const p of prepared) await writePrepared(trx, p);
      },
      onSuccess: () =>
        prepared.map((p): AuditDraft => ({
          action: 'create',
          outcome: 'success',
          actorType: 'system',
          actorId: 'bench-seed',
          resourceType: p.resourceType,
          resourceId: p.id,
          resourceVersion: p.version,
          patientId: p.id,
        })),
      onFailure: () => [],
    });
    onProgress?.(start + n);
  }
  return { tokensPerPatient: tokens / count, jsonBytesPerPatient: jsonBytes / count };
}
