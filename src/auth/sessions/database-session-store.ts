import type { SessionRow } from '../../store/index.js';
import type { SessionFieldUpdate, SessionRecord, SessionStore } from './session-store.js';

/** The slice of the store's SessionRepository this needs. */
export interface SessionRows {
  insert(row: SessionRow): Promise<void>;
  findByIdHash(idHash: Buffer): Promise<SessionRow | undefined>;
  touch(idHash: Buffer, lastSeenAt: string): Promise<boolean>;
  update(idHash: Buffer, fields: { mfaAt?: string; reauthAt?: string }): Promise<boolean>;
  delete(idHash: Buffer): Promise<boolean>;
  listForUser(userId: string): Promise<SessionRow[]>;
  deleteAllForUser(userId: string): Promise<number>;
}

/** Sessions in the database (the default when REDIS_URL is not set). */
export class DatabaseSessionStore implements SessionStore {
  constructor(private readonly rows: SessionRows) {}

  create(r: SessionRecord): Promise<void> {
    return this.rows.insert({
      idHash: r.idHash,
      userId: r.userId,
      createdAt: r.createdAt.toISOString(),
      lastSeenAt: r.lastSeenAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      mfaAt: r.mfaAt?.toISOString() ?? null,
      reauthAt: r.reauthAt?.toISOString() ?? null,
      csrfHash: r.csrfHash,
      ip: r.ip ?? null,
      userAgent: r.userAgent ?? null,
    });
  }

  async get(idHash: Buffer): Promise<SessionRecord | undefined> {
    const row = await this.rows.findByIdHash(idHash);
    return row && toRecord(row);
  }

  touch(idHash: Buffer, lastSeenAt: Date): Promise<boolean> {
    return this.rows.touch(idHash, lastSeenAt.toISOString());
  }

  update(idHash: Buffer, fields: SessionFieldUpdate): Promise<boolean> {
    return this.rows.update(idHash, {
      ...(fields.mfaAt && { mfaAt: fields.mfaAt.toISOString() }),
      ...(fields.reauthAt && { reauthAt: fields.reauthAt.toISOString() }),
    });
  }

  delete(idHash: Buffer): Promise<boolean> {
    return this.rows.delete(idHash);
  }

  async listForUser(userId: string): Promise<SessionRecord[]> {
    return (await this.rows.listForUser(userId)).map(toRecord);
  }

  deleteAllForUser(userId: string): Promise<number> {
    return this.rows.deleteAllForUser(userId);
  }
}

function toRecord(r: SessionRow): SessionRecord {
  return {
    idHash: r.idHash,
    userId: r.userId,
    createdAt: new Date(r.createdAt),
    lastSeenAt: new Date(r.lastSeenAt),
    expiresAt: new Date(r.expiresAt),
    mfaAt: r.mfaAt === null ? undefined : new Date(r.mfaAt),
    reauthAt: r.reauthAt === null ? undefined : new Date(r.reauthAt),
    csrfHash: r.csrfHash,
    ip: r.ip ?? undefined,
    userAgent: r.userAgent ?? undefined,
  };
}
