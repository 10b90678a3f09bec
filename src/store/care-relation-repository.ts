import type { Kysely } from 'kysely';
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
export class CareRelationRepository {
  constructor(private readonly db: Db) {}

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
