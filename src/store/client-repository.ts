import type { Kysely } from 'kysely';
import { prepareQuery } from './prepared-query.js';
import type { EpochCache } from './read-path-cache.js';
import type { HavenDatabase } from './schema.js';

export interface ApiClientRow {
  id: string;
  name: string;
  scopes: string;
  createdAt: string;
  revokedAt: string | null;
  /** The person an app token acts for; null for an integration. */
  userId: string | null;
}

/** API clients for integrations. Only a hash of each bearer token is stored. */
export class ClientRepository {
  async insert(c: {
    id: string;
    name: string;
    tokenHash: Buffer;
    scopes: string;
    userId?: string | undefined;
    createdAt?: string | undefined;
  }): Promise<void> {
    await this.db
      .insertInto('api_clients')
      .values({
        id: c.id,
        name: c.name,
        token_hash: c.tokenHash,
        scopes: c.scopes,
        created_at: c.createdAt ?? this.now(),
        revoked_at: null,
        user_id: c.userId ?? null,
      })
      .execute();
  }

  /** A person's live app tokens. */
  async listForUser(userId: string): Promise<ApiClientRow[]> {
    const rows = await this.db
      .selectFrom('api_clients')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .execute();
    return rows.map(toRow);
  }

  /** Revokes every app token of a person (with their sessions: disable, MFA reset, new password). */
  async revokeAllForUser(userId: string): Promise<number> {
    const r = await this.db
      .updateTable('api_clients')
      .set({ revoked_at: this.now() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Revokes one of a person's app tokens; false when they hold no such live token. */
  async revokeForUser(id: string, userId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('api_clients')
      .set({ revoked_at: this.now() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private readonly activeByHash: (hash: Buffer) => Promise<HavenDatabase['api_clients'][]>;

  /** `clock` is the installation's injected clock: creation and revocation times come from it. */
  constructor(
    private readonly db: Kysely<HavenDatabase>,
    private readonly clock: () => Date,
    /** With a cache (ADR 0037), token lookups are served from memory while its counter stands. */
    private readonly cache?: EpochCache<unknown>,
  ) {
    this.activeByHash = prepareQuery<[Buffer], HavenDatabase['api_clients']>(db, 1, (hash) =>
      db
        .selectFrom('api_clients')
        .selectAll()
        .where('token_hash', '=', hash as unknown as Buffer)
        .where('revoked_at', 'is', null),
    );
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** The live (not revoked) client holding this token hash (every API request runs this). */
  async findActiveByTokenHash(tokenHash: Buffer): Promise<ApiClientRow | undefined> {
    const load = async () => {
      const [row] = await this.activeByHash(tokenHash);
      return row && toRow(row);
    };
    if (this.cache === undefined) return load();
    const rows = this.cache as EpochCache<ApiClientRow | undefined>;
    const row = await rows.get(tokenHash.toString('hex'), load);
    return row && { ...row };
  }

  async list(): Promise<ApiClientRow[]> {
    const rows = await this.db
      .selectFrom('api_clients')
      .selectAll()
      .orderBy('created_at')
      .execute();
    return rows.map(toRow);
  }

  /** Returns false when no live client has that id. */
  async revoke(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('api_clients')
      .set({ revoked_at: this.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

function toRow(r: HavenDatabase['api_clients']): ApiClientRow {
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    userId: r.user_id,
  };
}
