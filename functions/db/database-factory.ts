import { Kysely, PostgresDialect } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from './database.js';
import { createDataApiDatabase } from './data-api-database.js';
import { resumeRetry } from './resilient-data-api-client.js';
import { openPostgresPool } from './postgres-pool.js';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  /** Which path queries take: a PostgreSQL server, the embedded PGlite, or the RDS Data API. */
  readonly kind: 'postgres' | 'pglite' | 'data-api';
  close(): Promise<void>;
}

/**
 * The one dialect factory: the RDS Data API when its cluster is configured, else the
 * PostgreSQL server at DATABASE_URL, else the embedded PGlite under DATA_DIR.
 */
export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.dataApi) {
    const db = createDataApiDatabase(config.dataApi, resumeRetry(config.dataApi.resumeBudgetMs));
    return { db, kind: 'data-api', close: () => db.destroy() };
  }
  const opened = await openPostgresPool({
    databaseUrl: config.databaseUrl,
    dataDir: `${config.dataDir}/pglite`,
    maxConnections: config.poolSize,
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened.pool }) });
  return { db, kind: opened.kind, close: () => db.destroy().then(() => opened.close()) };
}
