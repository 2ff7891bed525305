import { sql, type Kysely } from 'kysely';

/**
 * Interactions (calls, emails, meetings, notes), the records they link, and what the merged
 * timelines read. Written for live customers, events and purchases tables:
 *
 * 1. In one transaction (all or nothing): a nullable `last_interaction_at` on customers (catalogue
 *    only); the new tables; the registry of link target types the triggers read; the triggers.
 * 2. Outside it, the timeline's indexes on the live events and purchases tables, CONCURRENTLY (an
 *    invalid leftover of an interrupted build is dropped and built again), so writes go on.
 *
 * The type rules mirror domain/interaction/interaction-type-rules.ts (a test compares them).
 * `last_interaction_at` is kept by triggers so that every write path keeps it, in the statement
 * that writes the interaction:
 * - a new link advances it with greatest(): never backwards, and safe under concurrent writers
 *   (the UPDATE always locks the row, and one that waited for the lock re-reads the row it sets from);
 * - a changed or deleted interaction recomputes it for each target it links: the target row is
 *   locked first, so the recomputation (a later statement, hence a fresh snapshot) sees every
 *   interaction committed by a writer it waited for.
 * A new target type (company, deal) is one row in customer_mgmt_interaction_targets.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`ALTER TABLE customer_mgmt_customers ADD COLUMN IF NOT EXISTS last_interaction_at timestamptz`.execute(trx);

    await sql`
      CREATE TABLE customer_mgmt_interactions (
        id            uuid PRIMARY KEY,
        type          text NOT NULL CHECK (type IN ('call', 'email', 'meeting', 'note')),
        occurred_at   timestamptz NOT NULL,
        direction     text CHECK (direction IN ('inbound', 'outbound')),
        subject       text CHECK (char_length(subject) BETWEEN 1 AND 500),
        body          text CHECK (char_length(body) BETWEEN 1 AND 65536),
        duration_s    integer CHECK (duration_s BETWEEN 0 AND 86400),
        outcome       text,
        participants  jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(participants) = 'array'),
        links         jsonb NOT NULL CHECK (jsonb_typeof(links) = 'object'),
        owner_id      uuid NOT NULL,
        source        text NOT NULL CHECK (source IN ('manual', 'email_sync', 'calendar_sync', 'phone_system', 'import')),
        external_id   text CHECK (char_length(external_id) BETWEEN 1 AND 500),
        version       integer NOT NULL CHECK (version >= 1),
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL,
        deleted_at    timestamptz,
        counts_as_contact boolean GENERATED ALWAYS AS (
          outcome IS NULL OR NOT (type = 'meeting' AND outcome IN ('scheduled', 'rescheduled', 'no_show', 'canceled'))
        ) STORED,
        CONSTRAINT customer_mgmt_interactions_type_fields CHECK (
          CASE type
            WHEN 'call' THEN direction IS NOT NULL
              AND (outcome IS NULL OR outcome IN ('connected', 'no_answer', 'left_voicemail', 'busy', 'wrong_number'))
            WHEN 'email' THEN direction IS NOT NULL AND duration_s IS NULL AND outcome IS NULL
            WHEN 'meeting' THEN direction IS NULL
              AND (outcome IS NULL OR outcome IN ('scheduled', 'completed', 'rescheduled', 'no_show', 'canceled'))
            ELSE direction IS NULL AND duration_s IS NULL AND outcome IS NULL
          END)
      )`.execute(trx);
    for (const statement of [
      // Unique per source over every row: a deleted synced email is not brought back by the next sync.
      sql`CREATE UNIQUE INDEX idx_interactions_external ON customer_mgmt_interactions (source, external_id) WHERE external_id IS NOT NULL`,
      sql`CREATE INDEX idx_interactions_occurred ON customer_mgmt_interactions (occurred_at DESC, id DESC) WHERE deleted_at IS NULL`,
      sql`CREATE INDEX idx_interactions_owner ON customer_mgmt_interactions (owner_id, occurred_at DESC, id DESC) WHERE deleted_at IS NULL`,
    ]) {
      await statement.execute(trx);
    }

    await sql`
      CREATE TABLE customer_mgmt_interaction_targets (
        target_type      text PRIMARY KEY,
        table_name       text NOT NULL,
        revision_column  text
      )`.execute(trx);
    // Customers count the change in summary_revision, so that their ETag changes with last_interaction_at.
    await sql`
      INSERT INTO customer_mgmt_interaction_targets (target_type, table_name, revision_column)
      VALUES ('customer', 'customer_mgmt_customers', 'summary_revision')`.execute(trx);

    await sql`
      CREATE TABLE customer_mgmt_interaction_links (
        interaction_id     uuid NOT NULL REFERENCES customer_mgmt_interactions (id),
        target_type        text NOT NULL REFERENCES customer_mgmt_interaction_targets (target_type),
        target_id          uuid NOT NULL,
        occurred_at        timestamptz NOT NULL,
        counts_as_contact  boolean NOT NULL,
        deleted_at         timestamptz,
        PRIMARY KEY (interaction_id, target_type, target_id)
      )`.execute(trx);
    await sql`
      CREATE INDEX idx_interaction_links_target
        ON customer_mgmt_interaction_links (target_type, target_id, occurred_at DESC, interaction_id DESC)
        WHERE deleted_at IS NULL`.execute(trx);

    await sql`
      CREATE FUNCTION customer_mgmt_interaction_target_advance() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        target customer_mgmt_interaction_targets%ROWTYPE;
      BEGIN
        IF NEW.deleted_at IS NOT NULL OR NOT NEW.counts_as_contact THEN
          RETURN NULL;
        END IF;
        SELECT * INTO STRICT target FROM customer_mgmt_interaction_targets WHERE target_type = NEW.target_type;
        -- Unconditional on the value, so that the row is always locked: a recomputation running
        -- concurrently (which locks the row first) then waits for this commit and sees this link.
        EXECUTE format(
          'UPDATE %I SET last_interaction_at = greatest(last_interaction_at, $2)%s WHERE id = $1',
          target.table_name,
          CASE WHEN target.revision_column IS NULL THEN '' ELSE format(
            ', %1$I = %1$I + CASE WHEN last_interaction_at IS DISTINCT FROM greatest(last_interaction_at, $2) THEN 1 ELSE 0 END',
            target.revision_column) END
        ) USING NEW.target_id, NEW.occurred_at;
        RETURN NULL;
      END
      $$`.execute(trx);
    await sql`
      CREATE TRIGGER customer_mgmt_interaction_target_advance AFTER INSERT ON customer_mgmt_interaction_links
      FOR EACH ROW EXECUTE FUNCTION customer_mgmt_interaction_target_advance()`.execute(trx);

    await sql`
      CREATE FUNCTION customer_mgmt_interaction_targets_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        link record;
        latest timestamptz;
      BEGIN
        UPDATE customer_mgmt_interaction_links
           SET occurred_at = NEW.occurred_at, counts_as_contact = NEW.counts_as_contact, deleted_at = NEW.deleted_at
         WHERE interaction_id = NEW.id;
        FOR link IN
          SELECT l.target_type, l.target_id, t.table_name, t.revision_column
            FROM customer_mgmt_interaction_links l JOIN customer_mgmt_interaction_targets t USING (target_type)
           WHERE l.interaction_id = NEW.id
           ORDER BY l.target_type, l.target_id
        LOOP
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
      $$`.execute(trx);
    await sql`
      CREATE TRIGGER customer_mgmt_interaction_targets_recompute AFTER UPDATE ON customer_mgmt_interactions
      FOR EACH ROW WHEN (
        OLD.occurred_at IS DISTINCT FROM NEW.occurred_at
        OR OLD.counts_as_contact IS DISTINCT FROM NEW.counts_as_contact
        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
      ) EXECUTE FUNCTION customer_mgmt_interaction_targets_recompute()`.execute(trx);
  });

  // The timeline reads a record's events and orders newest first, a keyset page at a time.
  for (const [name, definition] of [
    ['idx_events_stream_time', sql`customer_mgmt_events (aggregate_type, aggregate_id, occurred_at DESC, event_id DESC)`],
    ['idx_purchases_customer_time', sql`customer_mgmt_purchases (customer_id, placed_at DESC, order_id DESC)`],
  ] as const) {
    const { rows } = await sql<{ valid: boolean }>`
      SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${name}`.execute(db);
    if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(name)}`.execute(db);
    await sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(name)} ON ${definition}`.execute(db);
  }
}
