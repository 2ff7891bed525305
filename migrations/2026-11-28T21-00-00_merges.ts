import { sql, type Kysely } from 'kysely';

/**
 * Merge with undo (issue 19, docs/merge.md). Written for live tables:
 *
 * 1. `merged_into` on customers and companies: nullable columns, catalogue-only changes.
 * 2. customer_mgmt_customer_emails: one row per email a live customer answers to, its own
 *    (`alias` false) or a merged duplicate's (`alias` true). The primary key is the one index
 *    over both, so an email is unique across live emails and aliases however a clash arises,
 *    also between concurrent writers (as customer_mgmt_company_domains does for domains). A
 *    trigger keeps the own rows in step with the customers table; aliases are written by merges
 *    (and erasures remove them). The trigger comes first, then the backfill in batches, each a
 *    short statement that share-locks its customers while it copies their emails.
 * 3. The merge ledger: one row per merge (who, when, until when it may be undone, where each
 *    field came from) and one row per record it moved, with the moved columns before and after,
 *    so that an unmerge moves back exactly what the merge moved and sees whether anything changed
 *    since (new tables, no lock concerns).
 */
const BATCH = 5_000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE customer_mgmt_customers ADD COLUMN IF NOT EXISTS merged_into uuid`.execute(db);
  await sql`ALTER TABLE customer_mgmt_companies ADD COLUMN IF NOT EXISTS merged_into uuid`.execute(db);

  await sql`
    CREATE TABLE IF NOT EXISTS customer_mgmt_customer_emails (
      email       text NOT NULL CHECK (email = lower(email)),
      customer_id uuid NOT NULL,
      alias       boolean NOT NULL,
      merge_id    uuid,
      CONSTRAINT customer_mgmt_customer_emails_unique PRIMARY KEY (email)
    )`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS idx_customer_emails_customer ON customer_mgmt_customer_emails (customer_id)`.execute(db);

  // A customer's own row follows its email while it is live; a customer who takes one of its own
  // aliases as its email turns that alias back into its own email. A deleted customer keeps no rows.
  await sql`
    CREATE OR REPLACE FUNCTION customer_mgmt_customer_emails_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        DELETE FROM customer_mgmt_customer_emails WHERE customer_id = OLD.id AND (NOT alias OR NEW.deleted_at IS NOT NULL);
      END IF;
      IF NEW.deleted_at IS NULL THEN
        DELETE FROM customer_mgmt_customer_emails WHERE email = lower(NEW.email) AND customer_id = NEW.id AND alias;
        INSERT INTO customer_mgmt_customer_emails (email, customer_id, alias) VALUES (lower(NEW.email), NEW.id, false);
      END IF;
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`DROP TRIGGER IF EXISTS customer_mgmt_customer_emails_on_insert ON customer_mgmt_customers`.execute(db);
  await sql`DROP TRIGGER IF EXISTS customer_mgmt_customer_emails_on_update ON customer_mgmt_customers`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_customer_emails_on_insert AFTER INSERT ON customer_mgmt_customers
    FOR EACH ROW EXECUTE FUNCTION customer_mgmt_customer_emails_sync()`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_customer_emails_on_update AFTER UPDATE OF email, deleted_at ON customer_mgmt_customers
    FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION customer_mgmt_customer_emails_sync()`.execute(db);

  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await sql<{ last: string | null }>`
      WITH batch AS (
        SELECT id, email FROM customer_mgmt_customers
        WHERE id > ${after}::uuid AND deleted_at IS NULL
        ORDER BY id LIMIT ${sql.lit(BATCH)}
        FOR SHARE
      ), copied AS (
        INSERT INTO customer_mgmt_customer_emails (email, customer_id, alias)
        SELECT lower(email), id, false FROM batch
        ON CONFLICT DO NOTHING
      )
      SELECT (SELECT id FROM batch ORDER BY id DESC LIMIT 1) AS last`.execute(db);
    const last = rows[0]?.last ?? null;
    if (last === null) break;
    after = last;
  }

  await sql`
    CREATE TABLE IF NOT EXISTS customer_mgmt_merges (
      id              uuid PRIMARY KEY,
      aggregate_type  text NOT NULL CHECK (aggregate_type IN ('customer', 'company')),
      survivor_id     uuid NOT NULL,
      merged_ids      jsonb NOT NULL CHECK (jsonb_typeof(merged_ids) = 'array'),
      field_sources   jsonb NOT NULL CHECK (jsonb_typeof(field_sources) = 'object'),
      actor           text NOT NULL,
      merged_at       timestamptz NOT NULL,
      undo_until      timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS idx_merges_survivor ON customer_mgmt_merges (aggregate_type, survivor_id, merged_at)`.execute(db);

  await sql`
    CREATE TABLE IF NOT EXISTS customer_mgmt_merge_moves (
      merge_id     uuid NOT NULL REFERENCES customer_mgmt_merges (id),
      record_type  text NOT NULL,
      record_id    text NOT NULL,
      loser_ids    jsonb NOT NULL CHECK (jsonb_typeof(loser_ids) = 'array'),
      before       jsonb NOT NULL,
      after        jsonb NOT NULL,
      PRIMARY KEY (merge_id, record_type, record_id)
    )`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS idx_merge_moves_losers ON customer_mgmt_merge_moves USING gin (loser_ids jsonb_path_ops)`.execute(
    db,
  );

  // Which loser of which merge is merged (unmerged_at null) or was given back.
  await sql`
    CREATE TABLE IF NOT EXISTS customer_mgmt_merge_losers (
      merge_id     uuid NOT NULL REFERENCES customer_mgmt_merges (id),
      loser_id     uuid NOT NULL,
      unmerged_at  timestamptz,
      PRIMARY KEY (merge_id, loser_id)
    )`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS idx_merge_losers_loser ON customer_mgmt_merge_losers (loser_id)`.execute(db);
}
