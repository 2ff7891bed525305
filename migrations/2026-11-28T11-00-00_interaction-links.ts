import { sql, type Kysely } from 'kysely';

/**
 * Interactions link companies and deals too, and their links may change after logging.
 *
 * 1. Companies and deals get `last_interaction_at` and `interaction_revision` (the count of its
 *    changes, so that their ETag changes with it): catalogue-only column additions.
 * 2. They join the registry the triggers of the interactions migration read, so a link to either
 *    advances its `last_interaction_at` with greatest() and a changed or deleted interaction
 *    recomputes it, exactly as for customers.
 * 3. A change of an interaction's `links` (the jsonb the API answers) brings its link rows along in
 *    the same statement: rows for new targets are inserted (their trigger advances the target),
 *    rows for dropped targets are deleted and each dropped target is recomputed. Every target
 *    involved is locked first, in (type, id) order like every other writer, so that a concurrent
 *    log on the same target cannot be missed (the recomputation is a later statement, hence a
 *    fresh snapshot, taken after the lock) and opposite relinks cannot deadlock.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['customer_mgmt_companies', 'customer_mgmt_deals']) {
    await sql`ALTER TABLE ${sql.table(table)}
      ADD COLUMN IF NOT EXISTS last_interaction_at timestamptz,
      ADD COLUMN IF NOT EXISTS interaction_revision integer NOT NULL DEFAULT 0`.execute(db);
  }
  await sql`
    INSERT INTO customer_mgmt_interaction_targets (target_type, table_name, revision_column)
    VALUES ('company', 'customer_mgmt_companies', 'interaction_revision'),
           ('deal', 'customer_mgmt_deals', 'interaction_revision')
    ON CONFLICT (target_type) DO NOTHING`.execute(db);

  await sql`
    CREATE FUNCTION customer_mgmt_interaction_links_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      link record;
      latest timestamptz;
    BEGIN
      -- Every target it linked or links is locked first, in one global order (type, id), as every
      -- other writer locks them: two relinks moving interactions in opposite directions between the
      -- same records then wait for each other instead of deadlocking.
      FOR link IN
        SELECT t.table_name, linked.target_type, linked.target_id
          FROM (SELECT kv.key AS target_type, cast(ids.value #>> '{}' AS uuid) AS target_id
                  FROM jsonb_each(NEW.links) AS kv, jsonb_array_elements(kv.value) AS ids
                UNION
                SELECT kv.key, cast(ids.value #>> '{}' AS uuid)
                  FROM jsonb_each(OLD.links) AS kv, jsonb_array_elements(kv.value) AS ids) AS linked
          JOIN customer_mgmt_interaction_targets t USING (target_type)
         ORDER BY linked.target_type, linked.target_id
      LOOP
        EXECUTE format('SELECT 1 FROM %I WHERE id = $1 FOR UPDATE', link.table_name) USING link.target_id;
      END LOOP;

      -- Rows for targets the interaction links now and did not before.
      INSERT INTO customer_mgmt_interaction_links (interaction_id, target_type, target_id, occurred_at, counts_as_contact, deleted_at)
      SELECT NEW.id, wanted.key, cast(ids.value #>> '{}' AS uuid), NEW.occurred_at, NEW.counts_as_contact, NEW.deleted_at
        FROM jsonb_each(NEW.links) AS wanted, jsonb_array_elements(wanted.value) AS ids
       ORDER BY 2, 3
      ON CONFLICT (interaction_id, target_type, target_id) DO NOTHING;

      -- Rows for targets it no longer links: gone, and each such target recomputed.
      FOR link IN
        SELECT l.target_type, l.target_id, t.table_name, t.revision_column
          FROM customer_mgmt_interaction_links l JOIN customer_mgmt_interaction_targets t USING (target_type)
         WHERE l.interaction_id = NEW.id
           AND NOT coalesce(NEW.links -> l.target_type, '[]'::jsonb) @> jsonb_build_array(l.target_id::text)
         ORDER BY l.target_type, l.target_id
      LOOP
        DELETE FROM customer_mgmt_interaction_links
         WHERE interaction_id = NEW.id AND target_type = link.target_type AND target_id = link.target_id;
        EXECUTE format('SELECT 1 FROM %I WHERE id = $1 FOR UPDATE', link.table_name) USING link.target_id;
        SELECT max(occurred_at) INTO latest FROM customer_mgmt_interaction_links
         WHERE target_type = link.target_type AND target_id = link.target_id AND deleted_at IS NULL AND counts_as_contact;
        EXECUTE format(
          'UPDATE %I SET last_interaction_at = $2%s WHERE id = $1 AND last_interaction_at IS DISTINCT FROM $2',
          link.table_name,
          CASE WHEN link.revision_column IS NULL THEN '' ELSE format(', %1$I = %1$I + 1', link.revision_column) END
        ) USING link.target_id, latest;
      END LOOP;
      RETURN NULL;
    END
    $$`.execute(db);
  // Named to run before customer_mgmt_interaction_targets_recompute (triggers fire in name order),
  // so that a change of links and time together recomputes every target the interaction links now.
  await sql`
    CREATE TRIGGER customer_mgmt_interaction_links_sync AFTER UPDATE OF links ON customer_mgmt_interactions
    FOR EACH ROW WHEN (OLD.links IS DISTINCT FROM NEW.links)
    EXECUTE FUNCTION customer_mgmt_interaction_links_sync()`.execute(db);
}
