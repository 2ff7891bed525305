import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the deal reports (functions/deal-reports/), partial on what each report reads so
 * that it scans only its own rows, most of them index-only:
 *
 * - open deals of a pipeline by stage, with what the pipeline report sums (`/reports/pipeline`);
 * - open deals by expected close date (`/reports/forecast`; won deals use idx_deals_closed);
 * - open deals by currency and owner, counted by `/reports/sales-velocity`;
 * - live deals of a pipeline by creation time, the cohort of `/reports/stage-conversion` (whose
 *   events are then read through idx_events_stream).
 *
 * Built CONCURRENTLY on a live table (the migrator runs outside transactions); an index a failed
 * run left invalid is dropped and built again, so running it again is harmless.
 */
const INDEXES: Record<string, string> = {
  idx_deals_open_pipeline_stage:
    "(pipeline_id, stage) INCLUDE (currency, amount_minor, stage_entered_at, owner_id) WHERE deleted_at IS NULL AND status = 'open'",
  idx_deals_open_close_date: "(expected_close_date) WHERE deleted_at IS NULL AND status = 'open'",
  idx_deals_open_currency: "(currency, owner_id) WHERE deleted_at IS NULL AND status = 'open'",
  idx_deals_pipeline_created: '(pipeline_id, created_at) WHERE deleted_at IS NULL',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, definition] of Object.entries(INDEXES)) {
    const { rows } = await sql<{ valid: boolean }>`
      SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${name}`.execute(db);
    if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(name)}`.execute(db);
    await sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(name)} ON customer_mgmt_deals ${sql.raw(definition)}`.execute(db);
  }
}
