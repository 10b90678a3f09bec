import { sql, type Kysely } from 'kysely';
import type { HavenDatabase, UserTable } from './schema.js';
import { lockEndFor, type LockSchedule } from './lock-schedule.js';
import { prepareQuery } from './prepared-query.js';
import type { EpochCache } from './read-path-cache.js';

/** One person's account. Identifying fields stay sealed; the store never sees them in clear. */
export interface UserRow {
  id: string;
  emailIndex: Buffer;
  emailSealed: Buffer;
  nameSealed: Buffer | null;
  roles: string[];
  patientId: string | null;
  practitionerId: string | null;
  passwordHash: string | null;
  passwordChangedAt: string | null;
  totpSecretSealed: Buffer | null;
  totpLastStep: number | null;
  totpConfirmedAt: string | null;
  /** JSON text exactly as stored, so it can be the expected value of a compare-and-set. */
  recoveryHashes: string | null;
  failedAttempts: number;
  lockedUntil: string | null;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewUser {
  id: string;
  emailIndex: Buffer;
  emailSealed: Buffer;
  nameSealed?: Buffer | null;
  roles: string[];
  patientId?: string | null;
  practitionerId?: string | null;
  at: string;
}

type Db = Kysely<HavenDatabase>;

/**
 * Users. Every update that two requests could race on (a TOTP step, a recovery code, a first
 * password) is one conditional UPDATE whose affected-row count says whether this caller won.
 * Times are ISO-8601 UTC strings from the caller's clock, so they compare as text.
 */
export class UserRepository {
  private readonly byId: (id: string) => Promise<HavenDatabase['users'][]>;

  /** With `cache` (ADR 0037), findById is served from memory while the cache counter stands. */
  constructor(
    private readonly db: Db,
    private readonly cache?: EpochCache<unknown>,
  ) {
    // Every request of a signed-in person resolves their account: prepared once.
    this.byId = prepareQuery<[string], HavenDatabase['users']>(db, 1, (id) =>
      db.selectFrom('users').selectAll().where('id', '=', id),
    );
  }

  /** False when the email index (or, impossibly, the id) is already taken. */
  async insert(u: NewUser): Promise<boolean> {
    const r = await this.db
      .insertInto('users')
      .values({
        id: u.id,
        email_index: u.emailIndex,
        email_sealed: u.emailSealed,
        name_sealed: u.nameSealed ?? null,
        roles: u.roles.join(' '),
        patient_id: u.patientId ?? null,
        practitioner_id: u.practitionerId ?? null,
        password_hash: null,
        password_changed_at: null,
        totp_secret_sealed: null,
        totp_last_step: null,
        totp_confirmed_at: null,
        recovery_hashes: null,
        failed_attempts: 0,
        locked_until: null,
        disabled_at: null,
        created_at: u.at,
        updated_at: u.at,
      })
      .onConflict((c) => c.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async findById(id: string): Promise<UserRow | undefined> {
    const load = async () => {
      const [row] = await this.byId(id);
      return row && toRow(row);
    };
    if (this.cache === undefined) return load();
    const row = await (this.cache as EpochCache<UserRow | undefined>).get(id, load);
    return row && { ...row };
  }

  async findByEmailIndex(emailIndex: Buffer): Promise<UserRow | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email_index', '=', emailIndex)
      .executeTakeFirst();
    return row && toRow(row);
  }

  /** The accounts linked to a patient (usually one), for telling them about appointments. */
  async findByPatientId(patientId: string): Promise<UserRow[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('patient_id', '=', patientId)
      .execute();
    return rows.map(toRow);
  }

  async list(): Promise<UserRow[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('created_at').execute();
    return rows.map(toRow);
  }

  /** Sets the password hash only if the stored one is still `expected` (null: first password). */
  async replacePasswordHash(
    id: string,
    expected: string | null,
    next: string,
    at: string,
  ): Promise<boolean> {
    let q = this.db
      .updateTable('users')
      .set({ password_hash: next, password_changed_at: at, updated_at: at })
      .where('id', '=', id);
    q =
      expected === null
        ? q.where('password_hash', 'is', null)
        : q.where('password_hash', '=', expected);
    return affected(await q.executeTakeFirst());
  }

  /** Stores a new, unconfirmed TOTP secret; refused while a confirmed one exists. */
  async beginTotp(id: string, secretSealed: Buffer, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ totp_secret_sealed: secretSealed, totp_last_step: null, updated_at: at })
      .where('id', '=', id)
      .where('totp_confirmed_at', 'is', null)
      .executeTakeFirst();
    return affected(r);
  }

  /** Confirms the pending secret it was verified against, recording the step and recovery hashes. */
  async confirmTotp(
    id: string,
    secretSealed: Buffer,
    step: number,
    recoveryJson: string,
    at: string,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({
        totp_confirmed_at: at,
        totp_last_step: step,
        recovery_hashes: recoveryJson,
        updated_at: at,
      })
      .where('id', '=', id)
      .where('totp_confirmed_at', 'is', null)
      .where('totp_secret_sealed', '=', secretSealed)
      .executeTakeFirst();
    return affected(r);
  }

  /** Records an accepted TOTP step only if it is newer than the last one (RFC 6238 §5.2). */
  async advanceTotpStep(id: string, step: number, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ totp_last_step: step, updated_at: at })
      .where('id', '=', id)
      .where('totp_confirmed_at', 'is not', null)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return affected(r);
  }

  /** Compare-and-set on the whole JSON list, so one recovery code is spent once. */
  async replaceRecoveryHashes(
    id: string,
    expectedJson: string,
    nextJson: string,
    at: string,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ recovery_hashes: nextJson, updated_at: at })
      .where('id', '=', id)
      .where('recovery_hashes', '=', expectedJson)
      .executeTakeFirst();
    return affected(r);
  }

  /**
   * Counts one attempt (password or second factor) before it is verified, and sets the lock it
   * would leave as a failure, in one statement: parallel attempts queue on the row and each sees
   * the others' counts, so none gets past a lock. Undefined when the account is locked at
   * `s.now` (nothing counted) or does not exist.
   */
  async reserveAttempt(
    id: string,
    s: LockSchedule,
  ): Promise<{ failures: number; lockedUntil: string | null } | undefined> {
    const next = sql<number>`(failed_attempts + 1)`;
    const row = await this.db
      .updateTable('users')
      .set({
        failed_attempts: next,
        locked_until: lockEndFor(next, s, sql`locked_until`),
        updated_at: s.now,
      })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', s.now)]))
      .returning(['failed_attempts', 'locked_until'])
      .executeTakeFirst();
    return row && { failures: Number(row.failed_attempts), lockedUntil: row.locked_until };
  }

  /**
   * Gives back a reserved attempt that turned out right: one failure fewer, and the lock it set
   * (`ownLock`) lifted unless a later attempt has replaced it.
   */
  async releaseAttempt(id: string, ownLock: string | null, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({
        failed_attempts: sql`CASE WHEN failed_attempts > 0 THEN failed_attempts - 1 ELSE 0 END`,
        locked_until:
          ownLock === null
            ? sql`locked_until`
            : sql`CASE WHEN locked_until = ${ownLock} THEN NULL ELSE locked_until END`,
        updated_at: at,
      })
      .where('id', '=', id)
      .executeTakeFirst();
    return affected(r);
  }

  /** Counts one failed attempt atomically; returns the new count (0 if no such user). */
  async recordFailure(id: string, at: string): Promise<number> {
    const row = await this.db
      .updateTable('users')
      .set({ failed_attempts: sql`failed_attempts + 1`, updated_at: at })
      .where('id', '=', id)
      .returning('failed_attempts')
      .executeTakeFirst();
    return row ? Number(row.failed_attempts) : 0;
  }

  /** Takes back one counted failure (an attempt counted up front that turned out right). */
  async undoFailure(id: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({
        failed_attempts: sql`CASE WHEN failed_attempts > 0 THEN failed_attempts - 1 ELSE 0 END`,
        updated_at: at,
      })
      .where('id', '=', id)
      .executeTakeFirst();
    return affected(r);
  }

  async lock(id: string, until: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ locked_until: until, updated_at: at })
      .where('id', '=', id)
      .executeTakeFirst();
    return affected(r);
  }

  /** Clears the failure count and any lock (a successful sign-in, or an admin's unlock). */
  async resetFailures(id: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ failed_attempts: 0, locked_until: null, updated_at: at })
      .where('id', '=', id)
      .executeTakeFirst();
    return affected(r);
  }

  /** False when there is no such user or it is already disabled. */
  /** Replaces a person's roles (validated by the caller). */
  async setRoles(id: string, roles: readonly string[], at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ roles: roles.join(' '), updated_at: at })
      .where('id', '=', id)
      .executeTakeFirst();
    return affected(r);
  }

  async disable(id: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ disabled_at: at, updated_at: at })
      .where('id', '=', id)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    return affected(r);
  }

  /** Removes every second factor: TOTP, recovery codes and WebAuthn credentials, together. */
  async resetMfa(id: string, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('users')
        .set({
          totp_secret_sealed: null,
          totp_last_step: null,
          totp_confirmed_at: null,
          recovery_hashes: null,
          updated_at: at,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      await trx.deleteFrom('webauthn_credentials').where('user_id', '=', id).execute();
      return affected(r);
    });
  }

  async countWebauthn(id: string): Promise<number> {
    const row = await this.db
      .selectFrom('webauthn_credentials')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('user_id', '=', id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

function affected(r: { numUpdatedRows: bigint }): boolean {
  return Number(r.numUpdatedRows) === 1;
}

function toRow(r: UserTable): UserRow {
  return {
    id: r.id,
    emailIndex: r.email_index,
    emailSealed: r.email_sealed,
    nameSealed: r.name_sealed,
    roles: r.roles.split(' ').filter((x) => x.length > 0),
    patientId: r.patient_id,
    practitionerId: r.practitioner_id,
    passwordHash: r.password_hash,
    passwordChangedAt: r.password_changed_at,
    totpSecretSealed: r.totp_secret_sealed,
    totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step),
    totpConfirmedAt: r.totp_confirmed_at,
    recoveryHashes: r.recovery_hashes,
    failedAttempts: Number(r.failed_attempts),
    lockedUntil: r.locked_until,
    disabledAt: r.disabled_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
