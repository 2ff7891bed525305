import { sql, type Kysely } from 'kysely';

// Interactions got their batch adapter, so a CSV import may now write them too. The imports table
// is small (one row per import), so swapping its check constraint in one transaction is instant.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE customer_mgmt_imports DROP CONSTRAINT customer_mgmt_imports_object_check`.execute(db);
  await sql`
    ALTER TABLE customer_mgmt_imports ADD CONSTRAINT customer_mgmt_imports_object_check
      CHECK (object IN ('customers', 'companies', 'deals', 'interactions'))`.execute(db);
}
