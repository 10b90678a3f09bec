import type { Kysely } from 'kysely';
import { binaryType, type Engine } from '../engine.js';

/**
 * People: users, their second factors, invitations, server-side sessions and login throttling.
 * Identifying fields (email, display name) are sealed; the email is found through a blind index.
 */
export function peopleMigration(engine: Engine) {
  const bin = binaryType(engine);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email_index', bin, (c) => c.notNull().unique())
        .addColumn('email_sealed', bin, (c) => c.notNull())
        .addColumn('name_sealed', bin)
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('patient_id', 'text')
        .addColumn('practitioner_id', 'text')
        .addColumn('password_hash', 'text')
        .addColumn('password_changed_at', 'text')
        .addColumn('totp_secret_sealed', bin)
        .addColumn('totp_last_step', 'integer')
        .addColumn('totp_confirmed_at', 'text')
        .addColumn('recovery_hashes', 'text')
        .addColumn('failed_attempts', 'integer', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .addColumn('disabled_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webauthn_credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('public_key', bin, (c) => c.notNull())
        .addColumn('counter', 'integer', (c) => c.notNull())
        .addColumn('transports', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema
        .createIndex('webauthn_credentials_user')
        .on('webauthn_credentials')
        .column('user_id')
        .execute();
      await db.schema
        .createTable('invitations')
        .addColumn('token_hash', bin, (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', bin, (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('mfa_at', 'text')
        .addColumn('reauth_at', 'text')
        .addColumn('csrf_hash', bin, (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await db.schema
        .createTable('login_throttle')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('first_failure_at', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .execute();
    },
  };
}
