import type { Kysely } from 'kysely';
import { prepareQuery } from './prepared-query.js';
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

const CHUNK = 400;

/** Who is related to which patient, derived from CareTeam, Appointment and ServiceRequest writes. */
/** How one person relates to one patient, from one round trip. */
export interface PatientFacts {
  care: boolean;
  labOrder: boolean;
  /** The person's active break-glass grant for the patient, if any. */
  grantId: string | undefined;
}

type FactsRow = { care: unknown; lab: unknown; grant: string | null };

export class CareRelationRepository {
  private readonly factsQuery: (
    practitioner: string,
    patient: string,
    userId: string,
    now: string,
  ) => Promise<FactsRow[]>;

  constructor(private readonly db: Db) {
    // Every read by a person asks this: one prepared statement, one connection, three probes.
    this.factsQuery = prepareQuery<[string, string, string, string], FactsRow>(
      db,
      4,
      (practitioner, patient, userId, now) =>
        db.selectNoFrom((eb) => [
          eb
            .exists(
              eb
                .selectFrom('care_relations')
                .select('patient')
                .where('practitioner', '=', practitioner)
                .where('patient', '=', patient)
                .where('kind', 'in', ['care-team', 'appointment']),
            )
            .as('care'),
          eb
            .exists(
              eb
                .selectFrom('care_relations')
                .select('patient')
                .where('patient', '=', patient)
                .where('kind', '=', 'lab-order'),
            )
            .as('lab'),
          eb
            .selectFrom('break_glass_grants')
            .select('id')
            .where('user_id', '=', userId)
            .where('patient', '=', patient)
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
  async factsForPatient(
    practitioner: string,
    patient: string,
    userId: string,
    now: string,
  ): Promise<PatientFacts> {
    const [row] = await this.factsQuery(practitioner, patient, userId, now);
    return {
      care: truthy(row?.care),
      labOrder: truthy(row?.lab),
      grantId: row?.grant ?? undefined,
    };
  }

  /** Replaces the relations one resource creates, inside the transaction that writes it. */
  static async replaceForSource(
    trx: Db,
    sourceType: string,
    sourceId: string,
    relations: readonly CareRelation[],
  ): Promise<void> {
    await trx
      .deleteFrom('care_relations')
      .where('source_type', '=', sourceType)
      .where('source_id', '=', sourceId)
      .execute();
    const unique = new Map(relations.map((r) => [`${r.kind}|${r.practitioner}`, r]));
    if (unique.size === 0) return;
    await trx
      .insertInto('care_relations')
      .values(
        [...unique.values()].map((r) => ({
          source_type: sourceType,
          source_id: sourceId,
          kind: r.kind,
          practitioner: r.practitioner,
          patient: r.patient,
        })),
      )
      .execute();
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
    for (let i = 0; i < patients.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('care_relations')
        .select(['patient', 'kind'])
        .where('patient', 'in', patients.slice(i, i + CHUNK))
        .where((eb) =>
          eb.or([
            eb('kind', '=', 'lab-order'),
            ...(practitioner === undefined ? [] : [eb('practitioner', '=', practitioner)]),
          ]),
        )
        .execute();
      for (const r of rows) (r.kind === 'lab-order' ? labOrder : care).add(r.patient);
    }
    return { care, labOrder };
  }
}

/** SQLite answers EXISTS with 0/1, PostgreSQL with a boolean. */
function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 1n;
}
