import type { Kysely } from 'kysely';

/**
 * SMART App Launch (issue 20 part 3, ADR 0035). Registered apps, the authorizations a person
 * approves (request, then a single-use code, stored hashed), launch contexts Haven issues for an
 * EHR launch, and the opaque access and refresh tokens (only their SHA-256 is stored, as hex). `grant_id`
 * ties every token of one approval together: reuse of a rotated refresh token revokes them all.
 */
export function smartMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('smart_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text')
        .addColumn('redirect_uris', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('launch_url', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('smart_grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_hash', 'text', (c) => c.notNull().unique())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('state', 'text')
        .addColumn('nonce', 'text')
        .addColumn('code_challenge', 'text', (c) => c.notNull())
        .addColumn('launch_patient', 'text')
        .addColumn('launch_user', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('granted_scope', 'text')
        .addColumn('patient_id', 'text')
        .addColumn('decided_at', 'text')
        .addColumn('code_hash', 'text', (c) => c.unique())
        .addColumn('code_expires_at', 'text')
        .addColumn('code_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('smart_launches')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('patient_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('smart_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('grant_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('patient_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createIndex('smart_tokens_grant')
        .on('smart_tokens')
        .column('grant_id')
        .execute();
      await db.schema
        .createIndex('smart_tokens_user')
        .on('smart_tokens')
        .column('user_id')
        .execute();
    },
  };
}
