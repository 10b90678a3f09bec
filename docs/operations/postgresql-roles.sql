-- Haven on PostgreSQL: an owner role for migrations and archiving, and an application role
-- that cannot change or remove history even if it is compromised. Run as a superuser, with
-- :schema set (psql -v schema=haven) after the owner has run `haven init` once.
-- The test suite applies this file as written (test/store/postgres-roles.test.ts).

-- Roles (passwords and LOGIN are the operator's choice; shown without them here).
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'haven_owner') THEN CREATE ROLE haven_owner; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'haven_app') THEN CREATE ROLE haven_app; END IF;
END $$;

GRANT USAGE ON SCHEMA :"schema" TO haven_app;

-- Records: the application adds versions and moves heads; it never rewrites a version.
GRANT SELECT, INSERT ON :"schema".resource_versions TO haven_app;
GRANT SELECT, INSERT, UPDATE ON :"schema".resource_heads TO haven_app;
GRANT SELECT, INSERT, DELETE ON :"schema".search_tokens TO haven_app;

-- Keys: wrapped keys are inserted and budgets reserved; nothing is deleted.
GRANT SELECT, INSERT, UPDATE ON :"schema".data_keys TO haven_app;
GRANT SELECT, INSERT ON :"schema".system_keys TO haven_app;
GRANT SELECT, INSERT, UPDATE ON :"schema".api_clients TO haven_app;

-- Read-path caches (ADR 0037): every cached lookup reads the counter; triggers raise it with
-- the owner's rights (SECURITY DEFINER), so the application needs no write on it.
GRANT SELECT ON :"schema".cache_epoch TO haven_app;

-- Audit trail: append only. No UPDATE, DELETE or TRUNCATE at all; archiving runs as the owner.
GRANT SELECT, INSERT ON :"schema".audit_entries TO haven_app;
GRANT SELECT, INSERT ON :"schema".audit_checkpoints TO haven_app;
GRANT SELECT ON :"schema".audit_archives TO haven_app;
GRANT SELECT, UPDATE ON :"schema".audit_head TO haven_app;

-- Migration bookkeeping: the app checks for pending migrations at start.
GRANT SELECT ON :"schema".kysely_migration TO haven_app;
GRANT SELECT, UPDATE ON :"schema".kysely_migration_lock TO haven_app;
