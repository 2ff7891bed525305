import { sql, type Kysely } from 'kysely';

/**
 * A keyset index of live customers by tag, newest first: (tag, customer_created_at, customer_id).
 * The GIN index on `tags` answers "which customers have this tag" but not "the newest 20 of
 * them", so a list by tag either walked the created_at index backwards filtering on the tag (a
 * rare tag held by old customers reads nearly the whole table: 72 ms at 100,000 customers) or
 * sorted every match (slow for a common tag). Here each tag's customers are in creation order,
 * so a page costs the same for a tag on 5 customers or on 50,000.
 *
 * Expand only, for a live table: the table and the trigger that keeps it in step come first (so
 * every write from then on maintains it), then the backfill in batches, each one short statement
 * that locks its customers FOR SHARE while it copies their tags (a concurrent change of those
 * customers waits a moment and then maintains the rows itself). Running it again is harmless.
 */
const BATCH = 5_000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS customer_mgmt_customer_tags (
      tag text NOT NULL,
      customer_created_at timestamptz NOT NULL,
      customer_id uuid NOT NULL,
      PRIMARY KEY (tag, customer_created_at, customer_id)
    )`.execute(db);

  await sql`
    CREATE OR REPLACE FUNCTION customer_mgmt_customer_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        DELETE FROM customer_mgmt_customer_tags
        WHERE customer_id = OLD.id AND customer_created_at = OLD.created_at
          AND tag IN (SELECT jsonb_array_elements_text(OLD.tags));
      END IF;
      IF NEW.deleted_at IS NULL THEN
        INSERT INTO customer_mgmt_customer_tags (tag, customer_created_at, customer_id)
        SELECT DISTINCT tag, NEW.created_at, NEW.id FROM jsonb_array_elements_text(NEW.tags) AS tag
        ON CONFLICT DO NOTHING;
      END IF;
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`DROP TRIGGER IF EXISTS customer_mgmt_customer_tags_on_insert ON customer_mgmt_customers`.execute(db);
  await sql`DROP TRIGGER IF EXISTS customer_mgmt_customer_tags_on_update ON customer_mgmt_customers`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_customer_tags_on_insert AFTER INSERT ON customer_mgmt_customers
    FOR EACH ROW EXECUTE FUNCTION customer_mgmt_customer_tags_sync()`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_customer_tags_on_update AFTER UPDATE OF tags, deleted_at ON customer_mgmt_customers
    FOR EACH ROW WHEN (OLD.tags IS DISTINCT FROM NEW.tags OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION customer_mgmt_customer_tags_sync()`.execute(db);

  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await sql<{ last: string | null }>`
      WITH batch AS (
        SELECT id, created_at, tags FROM customer_mgmt_customers
        WHERE id > ${after}::uuid AND deleted_at IS NULL
        ORDER BY id LIMIT ${sql.lit(BATCH)}
        FOR SHARE
      ), copied AS (
        INSERT INTO customer_mgmt_customer_tags (tag, customer_created_at, customer_id)
        SELECT DISTINCT tag, batch.created_at, batch.id FROM batch, jsonb_array_elements_text(batch.tags) AS tag
        ON CONFLICT DO NOTHING
      )
      SELECT (SELECT id FROM batch ORDER BY id DESC LIMIT 1) AS last`.execute(db);
    const last = rows[0]?.last ?? null;
    if (last === null) break;
    after = last;
  }
}
