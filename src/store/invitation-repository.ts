import type { Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

export type InvitationPurpose = 'enroll' | 'register' | 'reset';

export interface InvitationRow {
  userId: string;
  purpose: InvitationPurpose;
  expiresAt: string;
}

/**
 * Single-use invitations. Only the SHA-256 of each token is stored; a token is spent by one
 * conditional UPDATE, so two racing requests cannot both redeem it.
 */
export class InvitationRepository {
  constructor(private readonly db: Kysely<HavenDatabase>) {}

  async insert(i: {
    tokenHash: Buffer;
    userId: string;
    purpose: InvitationPurpose;
    expiresAt: string;
    at: string;
  }): Promise<void> {
    await this.db
      .insertInto('invitations')
      .values({
        token_hash: i.tokenHash,
        user_id: i.userId,
        purpose: i.purpose,
        expires_at: i.expiresAt,
        used_at: null,
        created_at: i.at,
      })
      .execute();
  }

  /** The invitation if it is unused and unexpired at `now`; does not spend it. */
  async findUsable(tokenHash: Buffer, now: string): Promise<InvitationRow | undefined> {
    const row = await this.db
      .selectFrom('invitations')
      .select(['user_id', 'purpose', 'expires_at'])
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && toRow(row);
  }

  /** Spends every unused invitation of a user (before a new one is sent); returns how many. */
  async retireUnused(userId: string, now: string): Promise<number> {
    const r = await this.db
      .updateTable('invitations')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Spends the invitation atomically; undefined when unknown, used or expired. */
  async consume(tokenHash: Buffer, now: string): Promise<InvitationRow | undefined> {
    const row = await this.db
      .updateTable('invitations')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['user_id', 'purpose', 'expires_at'])
      .executeTakeFirst();
    return row && toRow(row);
  }
}

function toRow(r: { user_id: string; purpose: string; expires_at: string }): InvitationRow {
  return { userId: r.user_id, purpose: r.purpose as InvitationPurpose, expiresAt: r.expires_at };
}
