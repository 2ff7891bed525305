import { sql, type Kysely } from 'kysely';

// A company with open deals cannot be deleted, also under concurrency with a deal that links it:
// the deal write share-locks the company row (functions/deals/deal-table.ts), and the delete
// locks that row for update before this trigger counts open deals in a statement of its own —
// so it either waits for the deal's transaction and counts its deal, or commits first and the
// deal's check then finds the company deleted. Expand only: a new trigger, no data changed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION customer_mgmt_companies_no_open_deals() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      remaining bigint;
    BEGIN
      IF OLD.deleted_at IS NOT NULL OR NEW.deleted_at IS NULL THEN
        RETURN NEW;
      END IF;
      SELECT count(*) INTO remaining FROM customer_mgmt_deals
      WHERE company_id = NEW.id AND status = 'open' AND deleted_at IS NULL;
      -- The message names the constraint too: through the Data API only the message text arrives.
      IF remaining > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_companies_no_open_deals',
          MESSAGE = format('deleting violates constraint "customer_mgmt_companies_no_open_deals": %s open deals', remaining);
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_companies_no_open_deals
    BEFORE UPDATE OF deleted_at ON customer_mgmt_companies
    FOR EACH ROW EXECUTE FUNCTION customer_mgmt_companies_no_open_deals()`.execute(db);
}
