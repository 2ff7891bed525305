import { sql, type Kysely } from 'kysely';

// The service only soft-deletes customers, but an operator's hard DELETE or TRUNCATE (a purge, a
// test reset) must not leave their emails taken in customer_mgmt_customer_emails: the rows of a
// customer who no longer exists go with it. Triggers rather than a foreign key, so that no insert
// of an email pays for a key check and TRUNCATE needs no CASCADE.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION customer_mgmt_customer_emails_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE customer_mgmt_customer_emails;
      ELSE
        DELETE FROM customer_mgmt_customer_emails WHERE customer_id = OLD.id;
      END IF;
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`DROP TRIGGER IF EXISTS customer_mgmt_customer_emails_delete ON customer_mgmt_customers`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_customer_emails_delete AFTER DELETE ON customer_mgmt_customers
    FOR EACH ROW EXECUTE FUNCTION customer_mgmt_customer_emails_on_delete()`.execute(db);
  await sql`DROP TRIGGER IF EXISTS customer_mgmt_customer_emails_truncate ON customer_mgmt_customers`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_customer_emails_truncate AFTER TRUNCATE ON customer_mgmt_customers
    FOR EACH STATEMENT EXECUTE FUNCTION customer_mgmt_customer_emails_on_delete()`.execute(db);
  // Rows already orphaned by an earlier hard delete.
  await sql`
    DELETE FROM customer_mgmt_customer_emails e
    WHERE NOT EXISTS (SELECT 1 FROM customer_mgmt_customers c WHERE c.id = e.customer_id)`.execute(db);
}
