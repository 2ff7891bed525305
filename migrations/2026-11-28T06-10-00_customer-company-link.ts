import { sql, type Kysely } from 'kysely';

// A customer's company_id must name a live company, also under concurrency with the company's
// deletion: the check share-locks the company row, so a delete (which locks the row for update
// and then counts live contacts, see the companies migration) either waits for this customer and
// counts it, or commits first and this check no longer finds the company. Expand only: rows
// already stored are not checked; only new links are.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION customer_mgmt_customers_company_live() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.company_id IS NULL OR NEW.deleted_at IS NOT NULL
         OR (TG_OP = 'UPDATE' AND NEW.company_id IS NOT DISTINCT FROM OLD.company_id) THEN
        RETURN NEW;
      END IF;
      PERFORM 1 FROM customer_mgmt_companies WHERE id = NEW.company_id AND deleted_at IS NULL FOR SHARE;
      IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_customers_company_live',
          MESSAGE = format('new row violates constraint "customer_mgmt_customers_company_live": %s is not a live company', NEW.company_id);
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_customers_company_live
    BEFORE INSERT OR UPDATE OF company_id ON customer_mgmt_customers
    FOR EACH ROW EXECUTE FUNCTION customer_mgmt_customers_company_live()`.execute(db);
}
