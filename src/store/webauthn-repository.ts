import type { Kysely } from 'kysely';
import type { HavenDatabase, WebauthnCredentialTable } from './schema.js';

/** A registered WebAuthn credential (a security key or a passkey). */
export interface WebauthnCredentialRow {
  /** The credential id, base64url as the authenticator reports it. */
  id: string;
  userId: string;
  /** COSE_Key bytes, exactly as the authenticator produced them. */
  publicKey: Buffer;
  /** The last signature counter accepted (WebAuthn §6.1.1). */
  counter: number;
  /** Transport hints (usb, nfc, ble, internal, hybrid…) the browser reported, if any. */
  transports: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

export interface NewWebauthnCredential {
  id: string;
  userId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: readonly string[];
  at: string;
}

type Db = Kysely<HavenDatabase>;

/**
 * WebAuthn credentials. The counter only moves forward, by one conditional UPDATE whose
 * affected-row count says whether this caller won, so two racing assertions with one counter value
 * (or a cloned authenticator replaying an old one) cannot both succeed.
 */
export class WebauthnRepository {
  constructor(private readonly db: Db) {}

  /** False when a credential with that id is already registered (to anyone). */
  async insert(c: NewWebauthnCredential): Promise<boolean> {
    const r = await this.db
      .insertInto('webauthn_credentials')
      .values({
        id: c.id,
        user_id: c.userId,
        public_key: Buffer.from(c.publicKey),
        counter: c.counter,
        transports: c.transports.length > 0 ? c.transports.join(' ') : null,
        created_at: c.at,
        last_used_at: null,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async findById(id: string): Promise<WebauthnCredentialRow | undefined> {
    const row = await this.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRow(row);
  }

  async listForUser(userId: string): Promise<WebauthnCredentialRow[]> {
    const rows = await this.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRow);
  }

  /**
   * Records a use: stores `newCounter` only if it is greater than the stored one, or if both are 0
   * (authenticators without a counter always report 0, WebAuthn §6.1.1). False means refused.
   */
  async updateCounter(id: string, newCounter: number, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('webauthn_credentials')
      .set({ counter: newCounter, last_used_at: at })
      .where('id', '=', id)
      .where((eb) => (newCounter === 0 ? eb('counter', '=', 0) : eb('counter', '<', newCounter)))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Removes one of the user's credentials; false if the user has no credential with that id. */
  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('webauthn_credentials')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
}

function toRow(r: WebauthnCredentialTable): WebauthnCredentialRow {
  return {
    id: r.id,
    userId: r.user_id,
    publicKey: r.public_key,
    counter: Number(r.counter),
    transports: r.transports === null ? [] : r.transports.split(' ').filter((t) => t.length > 0),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  };
}
