import { sql, type Kysely } from 'kysely';

/**
 * Duplicate detection (issue 19, docs/duplicates.md): pg_trgm for name similarity, and the indexes
 * that keep every rule an index lookup rather than a read of the whole table:
 * - names of live customers and companies in trigram GIN indexes (`name % $1` is answered by them);
 * - live customers by phone (E.164, exact);
 * - live companies by the host of their website (a domain is unique among live companies, so the
 *   domain rule finds a company whose website names another's domain).
 * Email is answered by the unique index on lower(email), domains by customer_mgmt_company_domains.
 *
 * pg_trgm ships with Aurora PostgreSQL, PostgreSQL's contrib and PGlite (loaded in
 * functions/db/postgres-pool.ts). On live tables: CONCURRENTLY, outside a transaction; an invalid
 * index left by an interrupted build is dropped and built again.
 */
// The same expression as websiteHost() in functions/duplicates/company-duplicate-rules.ts (the planner matches it textually).
const WEBSITE_HOST = sql`lower(substring(website from '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:www[0-9]*\\.)?([^/:?#@]+)'))`;

const INDEXES = [
  ['idx_customers_name_trgm', sql`customer_mgmt_customers USING gin (name gin_trgm_ops) WHERE deleted_at IS NULL`],
  ['idx_customers_phone', sql`customer_mgmt_customers (phone) WHERE deleted_at IS NULL AND phone IS NOT NULL`],
  ['idx_companies_name_trgm', sql`customer_mgmt_companies USING gin (name gin_trgm_ops) WHERE deleted_at IS NULL`],
  ['idx_companies_website_host', sql`customer_mgmt_companies (${WEBSITE_HOST}) WHERE deleted_at IS NULL AND website IS NOT NULL`],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
  for (const [name, definition] of INDEXES) {
    const { rows } = await sql<{ valid: boolean }>`
      SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${name}`.execute(db);
    if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(name)}`.execute(db);
    await sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(name)} ON ${definition}`.execute(db);
  }
}
