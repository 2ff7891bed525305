import { sql, type Kysely } from 'kysely';

/**
 * Closes the gaps a merge racing with writes left (issue 19, docs/merge.md).
 *
 * 1. The relink trigger (customer_mgmt_interaction_links_sync) locks only the targets a change of
 *    links adds or drops (all of them, as before, when the interaction's time, contact flag or
 *    deletion changes too, since the recomputation that follows locks them all), still in the one
 *    global order (type, id). A merge moving an interaction from a loser to the survivor then locks
 *    only those two, which it holds already: it no longer locks a company after the customers it
 *    merges (out of order), which a new interaction key-share-locking that company and waiting for
 *    a merged customer would turn into a deadlock. And a target the change adds must still be live
 *    once locked (the change's own check ran on an older snapshot): a relink to a company being
 *    merged away waits for the merge and is then refused (check_violation) instead of linking a loser.
 *    A function replacement: no table lock.
 * 2. The external ids of customers and companies are unique among live records *and merged losers*:
 *    a loser keeps its external id, reserved like a merged email (an alias), so that no other record
 *    can take it and a lookup by it finds the survivor (docs/merge.md). Each table's unique index is
 *    rebuilt under its own name: the new one is built CONCURRENTLY under a temporary name (an invalid
 *    one left by an interrupted build is dropped and built again), the old one is dropped
 *    CONCURRENTLY and the new one renamed (SHARE UPDATE EXCLUSIVE, an instant): writes go on
 *    throughout, and the constraint name the code maps to EXTERNAL_ID_TAKEN stays. A loser whose
 *    external id a live record took before this migration (nothing reserved it then) gives it up
 *    first, in one short statement: the live record keeps it.
 * Running it again is harmless.
 */
const EXTERNAL_ID_INDEXES = [
  { table: 'customer_mgmt_customers', index: 'idx_customers_external_id' },
  { table: 'customer_mgmt_companies', index: 'idx_companies_external_id' },
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await relinkLocks(db);
  for (const { table, index } of EXTERNAL_ID_INDEXES) await reserveMergedExternalIds(db, table, index);
}

async function reserveMergedExternalIds(db: Kysely<unknown>, table: string, index: string): Promise<void> {
  const building = `${index}_reserved`;
  const definition = async (name: string) =>
    (
      await sql<{ valid: boolean; definition: string }>`
        SELECT i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS definition
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${name}`.execute(db)
    ).rows[0];
  const current = await definition(index);
  if (current?.valid && current.definition.includes('merged_into IS NOT NULL')) return;
  await sql`
    UPDATE ${sql.table(table)} AS loser SET external_id = NULL
     WHERE loser.merged_into IS NOT NULL AND loser.external_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM ${sql.table(table)} AS other
                    WHERE other.external_id = loser.external_id AND other.id <> loser.id
                      AND (other.deleted_at IS NULL OR (other.merged_into IS NOT NULL AND other.id < loser.id)))`.execute(db);
  const built = await definition(building);
  if (built && !built.valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(building)}`.execute(db);
  await sql`CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(building)} ON ${sql.table(table)} (external_id)
    WHERE external_id IS NOT NULL AND (deleted_at IS NULL OR merged_into IS NOT NULL)`.execute(db);
  await sql`DROP INDEX CONCURRENTLY IF EXISTS ${sql.id(index)}`.execute(db);
  await sql`ALTER INDEX ${sql.id(building)} RENAME TO ${sql.id(index)}`.execute(db);
}

async function relinkLocks(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION customer_mgmt_interaction_links_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      link record;
      latest timestamptz;
      gone boolean;
      every_target boolean := OLD.occurred_at IS DISTINCT FROM NEW.occurred_at
        OR OLD.counts_as_contact IS DISTINCT FROM NEW.counts_as_contact
        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at;
    BEGIN
      -- The targets it links now and did not before, or linked and does not now, are locked first,
      -- in one global order (type, id), as every other writer locks them: two relinks moving
      -- interactions in opposite directions between the same records then wait for each other
      -- instead of deadlocking. A target it keeps is left alone (nothing of it changes).
      FOR link IN
        SELECT t.table_name, linked.target_type, linked.target_id, linked.added
          FROM (SELECT coalesce(now_linked.target_type, was_linked.target_type) AS target_type,
                       coalesce(now_linked.target_id, was_linked.target_id) AS target_id,
                       was_linked.target_id IS NULL AS added,
                       now_linked.target_id IS NULL AS dropped
                  FROM (SELECT kv.key AS target_type, cast(ids.value #>> '{}' AS uuid) AS target_id
                          FROM jsonb_each(NEW.links) AS kv, jsonb_array_elements(kv.value) AS ids) AS now_linked
                  FULL JOIN (SELECT kv.key AS target_type, cast(ids.value #>> '{}' AS uuid) AS target_id
                               FROM jsonb_each(OLD.links) AS kv, jsonb_array_elements(kv.value) AS ids) AS was_linked
                    ON was_linked.target_type = now_linked.target_type AND was_linked.target_id = now_linked.target_id) AS linked
          JOIN customer_mgmt_interaction_targets t USING (target_type)
         WHERE every_target OR linked.added OR linked.dropped
         ORDER BY linked.target_type, linked.target_id
      LOOP
        gone := NULL;
        EXECUTE format('SELECT deleted_at IS NOT NULL FROM %I WHERE id = $1 FOR UPDATE', link.table_name) INTO gone USING link.target_id;
        IF link.added AND coalesce(gone, true) THEN
          RAISE EXCEPTION 'interaction % cannot link % %: it no longer exists', NEW.id, link.target_type, link.target_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_interaction_links_live';
        END IF;
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
}
