import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../../../functions/db/database.js';
import { migrateToLatest } from '../../../functions/db/migrate.js';
import { openPostgresPool } from '../../../functions/db/postgres-pool.js';

/** A database two processes take turns on: a PostgreSQL server's database, or a PGlite data directory. */
export type SharedDatabase = { readonly url: string } | { readonly pgliteDir: string };

export async function openShared(target: SharedDatabase): Promise<{ db: Kysely<Database>; close(): Promise<void> }> {
  const opened = await openPostgresPool(
    'url' in target
      ? { databaseUrl: target.url, dataDir: 'memory://', maxConnections: 4 }
      : { dataDir: target.pgliteDir, maxConnections: 4 },
  );
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened.pool }) });
  await migrateToLatest(db);
  return {
    db,
    close: async () => {
      await db.destroy();
      await opened.close();
    },
  };
}
