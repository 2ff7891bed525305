import { sql, type Kysely } from 'kysely';

// Least-privilege roles for the functions (expand only: the master user keeps working until the
// functions switch to these roles' secrets, after this migration ran). The read role may only
// read; the write role may read and change rows; neither may change the schema, which stays with
// the master user the migrate function uses. They are LOGIN roles without a password: the migrate
// function sets each one's password from its Secrets Manager secret (functions/db/database-roles.ts).
// Roles are cluster-wide, so creating one tolerates its existing already (another database on the
// same server, or two migrations racing).
const READ = 'customer_mgmt_app_read';
const WRITE = 'customer_mgmt_app_write';

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const role of [READ, WRITE]) {
    await sql`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${sql.lit(role)}) THEN
          CREATE ROLE ${sql.id(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END
      $$`.execute(db);
  }

  // Only the migrating (master) user creates objects in the schema.
  await sql`REVOKE CREATE ON SCHEMA public FROM PUBLIC`.execute(db);
  await sql`GRANT USAGE ON SCHEMA public TO ${sql.id(READ)}, ${sql.id(WRITE)}`.execute(db);

  await sql`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${sql.id(READ)}`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${sql.id(WRITE)}`.execute(db);
  await sql`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${sql.id(WRITE)}`.execute(db);
  // Tables and sequences later migrations create (as this same user) get the same grants.
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${sql.id(READ)}`.execute(db);
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${sql.id(WRITE)}`.execute(db);
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${sql.id(WRITE)}`.execute(db);

  // The migration bookkeeping belongs to the migrate function alone.
  await sql`REVOKE ALL ON kysely_migration, kysely_migration_lock FROM ${sql.id(READ)}, ${sql.id(WRITE)}`.execute(db);
}
