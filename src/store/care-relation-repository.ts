import type { Kysely } from 'kysely';
import { prepareQuery } from './prepared-query.js';
import type { EpochCache } from './read-path-cache.js';
import { relationAad, type RelationCipher } from './relation-cipher.js';
import type { HavenDatabase } from './schema.js';

type Db = Kysely<HavenDatabase>;

export type CareRelationKind = 'care-team' | 'appointment' | 'lab-order';

export interface CareRelation {
  kind: CareRelationKind;
  /** `Practitioner/<id>`, or '' for a relation to no one in particular (a lab order). */
  practitioner: string;
  /** `Patient/<id>`. */
  patient: string;
}

/**
 * The authority a write acts under when it creates relations: a person's role reach or an API
 * client's scopes. Access obtained through break-glass is none: such a write may keep or remove
 * relations, never add one (ADR 0013).
 */
export type RelationAuthority = 'role-reach' | 'client-scope';

export interface RelationProvenance {
  authority: RelationAuthority | undefined;
  by: string;
  byKind: 'user' | 'client';
  at: string;
}

/** One source's relations, keyed and sealed outside the write transaction. */
export interface EncodedRelations {
  sourceKey: Buffer;
  rows: { kind: CareRelationKind; practitionerKey: Buffer; patientKey: Buffer; sealed: Buffer }[];
  provenance: RelationProvenance;
}

/** A write under no authority to create relations (break-glass) would have created one. */
export class RelationNotPermittedError extends Error {
  readonly code = 'relation-not-permitted';
  constructor() {
    super('a care relation cannot be created under emergency access');
  }
}

/** How one person relates to one patient, from one round trip. */
export interface PatientFacts {
  care: boolean;
  labOrder: boolean;
  /** The person's active break-glass grant for the patient, if any. */
  grantId: string | undefined;
}

type FactsRow = { care: unknown; lab: unknown; grant: string | null };
const CHUNK = 400;
const CARE_KINDS: CareRelationKind[] = ['care-team', 'appointment'];

/**
 * Who is related to which patient, derived from CareTeam, Appointment and ServiceRequest
 * writes. Rows hold blind-index keys and a sealed pair, never the ids themselves.
 */
export class CareRelationRepository {
  private readonly factsQuery: (
    practitionerKey: Buffer,
    patientKey: Buffer,
    userId: string,
    now: string,
  ) => Promise<FactsRow[]>;

  constructor(
    private readonly db: Db,
    private readonly cipher: RelationCipher,
    /**
     * With a cache (ADR 0037), factsForPatient is served from memory while its counter stands;
     * an answer with an active break-glass grant is never cached (the grant ends by time).
     */
    private readonly cache?: EpochCache<unknown>,
  ) {
    // Every read by a person asks this: one prepared statement, one connection, three probes.
    this.factsQuery = prepareQuery<[Buffer, Buffer, string, string], FactsRow>(
      db,
      4,
      (practitionerKey, patientKey, userId, now) =>
        db.selectNoFrom((eb) => [
          eb
            .exists(
              eb
                .selectFrom('care_relations')
                .select('kind')
                .where('practitioner_key', '=', practitionerKey as unknown as Buffer)
                .where('patient_key', '=', patientKey as unknown as Buffer)
                .where('kind', 'in', CARE_KINDS),
            )
            .as('care'),
          eb
            .exists(
              eb
                .selectFrom('care_relations')
                .select('kind')
                .where('patient_key', '=', patientKey as unknown as Buffer)
                .where('kind', '=', 'lab-order'),
            )
            .as('lab'),
          eb
            .selectFrom('break_glass_grants')
            .select('id')
            .where('user_id', '=', userId)
            .where('patient_key', '=', patientKey as unknown as Buffer)
            .where('expires_at', '>', now)
            .where('ended_at', 'is', null)
            .limit(1)
            .as('grant'),
        ]),
    );
  }

  /**
   * Care relation (with this practitioner), lab order and active grant (of this user) for one
   * patient. `practitioner` '' matches no care relation (lab-order rows carry '' but another kind).
   */
  /** The lookup key relation and grant rows use for a patient (disposal deletes by it). */
  patientKey(patientRef: string): Buffer {
    return this.cipher.key('patient', patientRef);
  }

  async factsForPatient(
    practitioner: string,
    patient: string,
    userId: string,
    now: string,
  ): Promise<PatientFacts> {
    if (this.cache === undefined) return this.loadFacts(practitioner, patient, userId, now);
    return (this.cache as EpochCache<PatientFacts>).get(
      `${practitioner}\0${patient}\0${userId}`,
      () => this.loadFacts(practitioner, patient, userId, now),
      (f) => f.grantId === undefined,
    );
  }

  private async loadFacts(
    practitioner: string,
    patient: string,
    userId: string,
    now: string,
  ): Promise<PatientFacts> {
    const [row] = await this.factsQuery(
      this.cipher.key('practitioner', practitioner),
      this.cipher.key('patient', patient),
      userId,
      now,
    );
    return {
      care: truthy(row?.care),
      labOrder: truthy(row?.lab),
      grantId: row?.grant ?? undefined,
    };
  }

  /** Keys and seals one source's relations (outside the transaction: crypto is not SQL). */
  encode(
    sourceType: string,
    sourceId: string,
    relations: readonly CareRelation[],
    provenance: RelationProvenance,
  ): EncodedRelations {
    const sourceKey = this.cipher.key('source', `${sourceType}/${sourceId}`);
    const unique = new Map(relations.map((r) => [`${r.kind}|${r.practitioner}`, r]));
    const rows = [...unique.values()].map((r) => {
      const practitionerKey = this.cipher.key('practitioner', r.practitioner);
      const patientKey = this.cipher.key('patient', r.patient);
      const plain = JSON.stringify({ practitioner: r.practitioner, patient: r.patient });
      const aad = relationAad(r.kind, sourceKey, practitionerKey, patientKey);
      return { kind: r.kind, practitionerKey, patientKey, sealed: this.cipher.seal(plain, aad) };
    });
    return { sourceKey, rows, provenance };
  }

  /**
   * Makes one source's rows those given, inside the transaction that writes the source. Rows
   * that stay keep who created them and under which authority; rows that go are deleted; new
   * rows need an authority, else RelationNotPermittedError rolls the whole write back.
   */
  static async replaceForSource(trx: Db, e: EncodedRelations): Promise<void> {
    const identity = (r: { kind: string; practitionerKey: Buffer; patientKey: Buffer }) =>
      `${r.kind}|${r.practitionerKey.toString('hex')}|${r.patientKey.toString('hex')}`;
    const existing = (
      await trx
        .selectFrom('care_relations')
        .select(['kind', 'practitioner_key', 'patient_key'])
        .where('source_key', '=', e.sourceKey)
        .execute()
    ).map((r) => ({
      kind: r.kind,
      practitionerKey: Buffer.from(r.practitioner_key),
      patientKey: Buffer.from(r.patient_key),
    }));
    const wanted = new Set(e.rows.map(identity));
    const kept = new Set(existing.map(identity));
    for (const r of existing.filter((x) => !wanted.has(identity(x))))
      await trx
        .deleteFrom('care_relations')
        .where('source_key', '=', e.sourceKey)
        .where('kind', '=', r.kind)
        .where('practitioner_key', '=', r.practitionerKey)
        .execute();
    const added = e.rows.filter((r) => !kept.has(identity(r)));
    if (added.length === 0) return;
    const { authority, by, byKind, at } = e.provenance;
    if (authority === undefined) throw new RelationNotPermittedError();
    await trx
      .insertInto('care_relations')
      .values(
        added.map((r) => ({
          source_key: e.sourceKey,
          kind: r.kind,
          practitioner_key: r.practitionerKey,
          patient_key: r.patientKey,
          sealed: r.sealed,
          authority,
          created_by: by,
          created_by_kind: byKind,
          created_at: at,
        })),
      )
      .execute();
  }

  /** The relations one source holds now (what an update under break-glass may keep). */
  async inForce(sourceType: string, sourceId: string): Promise<CareRelation[]> {
    const sourceKey = this.cipher.key('source', `${sourceType}/${sourceId}`);
    const rows = await this.db
      .selectFrom('care_relations')
      .select(['kind', 'practitioner_key', 'patient_key', 'sealed'])
      .where('source_key', '=', sourceKey)
      .execute();
    return rows.map((r) => ({ kind: r.kind as CareRelationKind, ...this.openRow(sourceKey, r) }));
  }

  /**
   * Of these patients, those related to the practitioner (care team or appointment) and those
   * with a lab order. One query per chunk, so a search result page costs one round trip.
   */
  async relationsOf(
    practitioner: string | undefined,
    patients: readonly string[],
  ): Promise<{ care: Set<string>; labOrder: Set<string> }> {
    const care = new Set<string>();
    const labOrder = new Set<string>();
    const byKey = new Map(patients.map((p) => [this.cipher.key('patient', p).toString('hex'), p]));
    const keys = [...byKey.keys()].map((k) => Buffer.from(k, 'hex'));
    const practitionerKey =
      practitioner === undefined ? undefined : this.cipher.key('practitioner', practitioner);
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('care_relations')
        .select(['patient_key', 'kind'])
        .where('patient_key', 'in', keys.slice(i, i + CHUNK))
        .where((eb) =>
          eb.or([
            eb('kind', '=', 'lab-order'),
            ...(practitionerKey === undefined
              ? []
              : [
                  eb.and([
                    eb('practitioner_key', '=', practitionerKey),
                    eb('kind', 'in', CARE_KINDS),
                  ]),
                ]),
          ]),
        )
        .execute();
      for (const r of rows) {
        const patient = byKey.get(Buffer.from(r.patient_key).toString('hex'));
        if (patient !== undefined) (r.kind === 'lab-order' ? labOrder : care).add(patient);
      }
    }
    return { care, labOrder };
  }

  /** Patients on a care team or with an appointment with this practitioner (a search's reach). */
  async patientsOf(practitioner: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('care_relations')
      .select(['source_key', 'kind', 'practitioner_key', 'patient_key', 'sealed'])
      .where('practitioner_key', '=', this.cipher.key('practitioner', practitioner))
      .where('kind', 'in', CARE_KINDS)
      .execute();
    return this.patientsIn(rows);
  }

  /** Patients with a laboratory order (the lab's search reach). */
  async patientsWithLabOrder(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('care_relations')
      .select(['source_key', 'kind', 'practitioner_key', 'patient_key', 'sealed'])
      .where('kind', '=', 'lab-order')
      .execute();
    return this.patientsIn(rows);
  }

  private patientsIn(
    rows: {
      source_key: Buffer;
      kind: string;
      practitioner_key: Buffer;
      patient_key: Buffer;
      sealed: Buffer;
    }[],
  ): string[] {
    // Many rows share a patient (every appointment names them): open each patient key once.
    const byKey = new Map<string, string>();
    for (const r of rows) {
      const hex = Buffer.from(r.patient_key).toString('hex');
      if (!byKey.has(hex))
        byKey.set(hex, this.openRow(Buffer.from(r.source_key), { ...r }).patient);
    }
    return [...byKey.values()];
  }

  private openRow(
    sourceKey: Buffer,
    r: { kind: string; practitioner_key: Buffer; patient_key: Buffer; sealed: Buffer },
  ): { practitioner: string; patient: string } {
    const aad = relationAad(
      r.kind,
      sourceKey,
      Buffer.from(r.practitioner_key),
      Buffer.from(r.patient_key),
    );
    const pair = JSON.parse(this.cipher.open(Buffer.from(r.sealed), aad)) as {
      practitioner: string;
      patient: string;
    };
    return { practitioner: pair.practitioner, patient: pair.patient };
  }
}

/** SQLite answers EXISTS with 0/1, PostgreSQL with a boolean. */
function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 1n;
}
