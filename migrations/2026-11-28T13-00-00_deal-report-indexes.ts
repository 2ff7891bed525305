import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the deal reports (functions/deal-reports/), partial on what each report reads so
 * that it scans only its own rows, most of them index-only:
 *
 * - open deals of a pipeline by stage, with what the pipeline report sums (`/reports/pipeline`);
 * - open deals by expected close date (`/reports/forecast`);
 * - open deals by currency and owner, counted by `/reports/sales-velocity`;
 * - closed deals by closed_at, covering what `/reports/win-rate`, the velocity and the forecast's
 *   won column read;
 * - live deals of a pipeline by creation time, the cohort of `/reports/stage-conversion` (whose
 *   events it then reads per deal through the stream index of the event log, so its cost follows
 *   the cohort, not the size of the log).
 *
 * Built CONCURRENTLY on a live table (the migrator runs outside transactions); an index a failed
 * run left invalid is dropped and built again, so running it again is harmless.
 */
const INDEXES: readonly { readonly name: string; readonly table: string; readonly definition: string }[] = [
  {
    name: 'idx_deals_open_pipeline_stage',
    table: 'customer_mgmt_deals',
    definition:
      "(pipeline_id, stage) INCLUDE (currency, amount_minor, stage_entered_at, owner_id) WHERE deleted_at IS NULL AND status = 'open'",
  },
  {
    name: 'idx_deals_open_close_date',
    table: 'customer_mgmt_deals',
    definition:
      "(expected_close_date) INCLUDE (pipeline_id, stage, currency, amount_minor, owner_id, forecast_category_override) WHERE deleted_at IS NULL AND status = 'open'",
  },
  {
    name: 'idx_deals_open_currency',
    table: 'customer_mgmt_deals',
    definition: "(currency, owner_id) WHERE deleted_at IS NULL AND status = 'open'",
  },
  {
    name: 'idx_deals_closed_report',
    table: 'customer_mgmt_deals',
    definition:
      "(closed_at) INCLUDE (status, currency, amount_minor, owner_id, pipeline_id, source, lost_reason, created_at) WHERE deleted_at IS NULL AND status <> 'open'",
  },
  { name: 'idx_deals_pipeline_created', table: 'customer_mgmt_deals', definition: '(pipeline_id, created_at) WHERE deleted_at IS NULL' },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const { name, table, definition } of INDEXES) {
    const { rows } = await sql<{ valid: boolean }>`
      SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${name}`.execute(db);
    if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(name)}`.execute(db);
    await sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(name)} ON ${sql.table(table)} ${sql.raw(definition)}`.execute(db);
  }
}
