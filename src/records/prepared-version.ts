import type { CareRelation, EncodedRelations } from '../store/index.js';

/**
 * A new version of a record, sealed and ready to store. Its own module because both the write
 * (write-record.ts) and its access checks (write-access.ts) need it, and the checks are called
 * by the write: defined in either one it made the two import each other.
 */
export interface PreparedVersion {
  resourceType: string;
  id: string;
  version: number;
  expectedVersion: number | undefined;
  owner: string;
  lastUpdated: string;
  json: Buffer;
  sealed: Buffer;
  tokens: Buffer[];
  /** A tombstone: the record reads as gone from this version on (FHIR delete). */
  deleted?: boolean;
  /** Care relations this version establishes (CareTeam, Appointment, lab ServiceRequest). */
  relations: CareRelation[] | undefined;
  /** Slots an integration's Appointment write reserves in the same transaction (slot-rule.ts). */
  reserveSlots?: string[];
  /** The same, keyed and sealed with their provenance, once checkPrepared knows the authority. */
  encodedRelations?: EncodedRelations;
}
