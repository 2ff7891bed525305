import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { migrations as knownMigrations } from '../../migrations/index.js';

/** Kysely's bookkeeping table (its default name). */
const MIGRATION_TABLE = 'kysely_migration';

export interface MigrationReport {
  /** Migrations this run applied, in order. */
  readonly applied: string[];
  /**
   * Migrations the database has but this code does not know: a newer deploy applied them and
   * this code is older (a CloudFormation rollback, or an older build deployed again). They stay
   * applied; expand/contract keeps the older code working against the newer schema.
   */
  readonly unknown: string[];
}

async function executedMigrations(db: Kysely<any>): Promise<string[]> {
  // information_schema rather than to_regclass: reg* results are unsupported through the Data API.
  const { rows } = await sql<{ present: boolean }>`
    select exists (
      select 1 from information_schema.tables where table_schema = current_schema() and table_name = ${MIGRATION_TABLE}
    ) as present`.execute(db);
  if (!rows[0]?.present) return [];
  const executed = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
  return executed.rows.map((row) => row.name);
}

/**
 * Applies every pending migration of `known`; throws naming the migration that failed. A
 * database that is ahead of this code is not an error: its extra migrations are reported (and
 * stand in as no-ops for Kysely's "missing migration" check), nothing else changes.
 */
export async function migrateDatabase(db: Kysely<any>, known: Record<string, Migration> = knownMigrations): Promise<MigrationReport> {
  const unknown = (await executedMigrations(db)).filter((name) => !(name in known));
  const alreadyApplied: Migration = {
    up: async () => {
      throw new Error('a migration this code does not know was applied by a newer deploy; it is never run from here');
    },
  };
  const all = { ...known, ...Object.fromEntries(unknown.map((name) => [name, alreadyApplied])) };
  const provider: MigrationProvider = { getMigrations: async () => all };
  // Each migration decides its own transactions (see migrations/index.ts): online migrations
  // commit in batches and build indexes concurrently, which a wrapping transaction would forbid.
  const { error, results } = await new Migrator({ db, provider, disableTransactions: true }).migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`, { cause: error });
  }
  return { applied: (results ?? []).map((result) => result.migrationName), unknown };
}

/** Applies every pending migration; returns their names. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return (await migrateDatabase(db)).applied;
}
