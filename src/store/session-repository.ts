import type { Kysely } from 'kysely';
import { prepareQuery } from './prepared-query.js';
import type { EpochCache } from './read-path-cache.js';
import type { HavenDatabase } from './schema.js';

/** A server-side session as stored: timestamps are ISO 8601 strings, secrets only as hashes. */
export interface SessionRow {
  /** SHA-256 of the session id; the id itself is never stored. */
  idHash: Buffer;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  mfaAt: string | null;
  reauthAt: string | null;
  /** SHA-256 of the CSRF token. */
  csrfHash: Buffer;
  ip: string | null;
  userAgent: string | null;
}

/** Server-side sessions, keyed by the hash of their id. */
export class SessionRepository {
  private readonly byHash: (hash: Buffer) => Promise<HavenDatabase['sessions'][]>;

  /**
   * With `cache` (ADR 0037), lookups are served from memory while the cache counter stands and
   * the cached last-seen time is under `freshMs` old (at most the idle limit, so a session is
   * never ended for idleness on a copy another worker has since touched).
   */
  constructor(
    private readonly db: Kysely<HavenDatabase>,
    private readonly cache?: { rows: EpochCache<unknown>; clock: () => Date; freshMs: number },
  ) {
    // Every cookie-authenticated request runs this lookup.
    this.byHash = prepareQuery<[Buffer], HavenDatabase['sessions']>(db, 1, (hash) =>
      db
        .selectFrom('sessions')
        .selectAll()
        .where('id_hash', '=', hash as unknown as Buffer),
    );
  }

  async insert(s: SessionRow): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: s.idHash,
        user_id: s.userId,
        created_at: s.createdAt,
        last_seen_at: s.lastSeenAt,
        expires_at: s.expiresAt,
        mfa_at: s.mfaAt,
        reauth_at: s.reauthAt,
        csrf_hash: s.csrfHash,
        ip: s.ip,
        user_agent: s.userAgent,
      })
      .execute();
  }

  async findByIdHash(idHash: Buffer): Promise<SessionRow | undefined> {
    const c = this.cache;
    if (c === undefined) return this.load(idHash);
    const key = idHash.toString('hex');
    const rows = c.rows as EpochCache<SessionRow | undefined>;
    const row = await rows.get(key, () => this.load(idHash));
    if (row === undefined || c.clock().getTime() - Date.parse(row.lastSeenAt) < c.freshMs)
      return row && { ...row };
    rows.delete(key);
    const fresh = await rows.get(key, () => this.load(idHash));
    return fresh && { ...fresh };
  }

  private async load(idHash: Buffer): Promise<SessionRow | undefined> {
    const [row] = await this.byHash(idHash);
    return row && toRow(row);
  }

  /** Moves last_seen_at forward only (a late, concurrent touch never moves it back). */
  async touch(idHash: Buffer, lastSeenAt: string): Promise<boolean> {
    const r = await this.db
      .updateTable('sessions')
      .set({ last_seen_at: lastSeenAt })
      .where('id_hash', '=', idHash)
      .where('last_seen_at', '<', lastSeenAt)
      .executeTakeFirst();
    const touched = Number(r.numUpdatedRows) === 1;
    // The last-seen time moves no counter (it changes no one's access): keep the copy current.
    if (touched)
      this.cache?.rows.update(idHash.toString('hex'), (row) => ({
        ...(row as SessionRow),
        lastSeenAt,
      }));
    return touched;
  }

  async update(
    idHash: Buffer,
    fields: { mfaAt?: string | undefined; reauthAt?: string | undefined },
  ): Promise<boolean> {
    const set: { mfa_at?: string; reauth_at?: string } = {};
    if (fields.mfaAt !== undefined) set.mfa_at = fields.mfaAt;
    if (fields.reauthAt !== undefined) set.reauth_at = fields.reauthAt;
    if (Object.keys(set).length === 0) return (await this.findByIdHash(idHash)) !== undefined;
    const r = await this.db
      .updateTable('sessions')
      .set(set)
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async delete(idHash: Buffer): Promise<boolean> {
    const r = await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  /** Every session of one user ("your sessions"); a person has a handful at most. */
  async listForUser(userId: string): Promise<SessionRow[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .execute();
    return rows.map(toRow);
  }

  /** Revokes every session of one user; returns how many there were. */
  async deleteAllForUser(userId: string): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function toRow(r: HavenDatabase['sessions']): SessionRow {
  return {
    idHash: Buffer.from(r.id_hash),
    userId: r.user_id,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    mfaAt: r.mfa_at,
    reauthAt: r.reauth_at,
    csrfHash: Buffer.from(r.csrf_hash),
    ip: r.ip,
    userAgent: r.user_agent,
  };
}
