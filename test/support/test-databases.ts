import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../functions/db/database.js';
import type { DatabaseHandle } from '../../functions/db/database-factory.js';
import { migrateToLatest } from '../../functions/db/migrate.js';
import { openPostgresPool } from '../../functions/db/postgres-pool.js';
import { createDataApiDatabase } from '../../functions/db/data-api-database.js';
import type { RetryPolicy } from '../../functions/db/resilient-data-api-client.js';
import { LOCAL_CLUSTER } from '../../infra/local/local-data-api.js';
import { startDataApiEndpoint, type DataApiEndpoint } from '../../infra/local/data-api/index.js';

export type DialectName = 'pglite' | 'postgres' | 'data-api';

export interface TestDatabase extends DatabaseHandle {
  readonly name: DialectName;
  /** The local Data API endpoint behind the data-api dialect (call counts, injected failures). */
  readonly endpoint?: DataApiEndpoint;
}

/**
 * The dialects every persistence and API suite runs on: the embedded PGlite always, a real
 * PostgreSQL server when DATABASE_URL is set (a fresh database per suite, dropped afterwards).
 */
export function availableDialects(): DialectName[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres', 'data-api'] : ['pglite', 'data-api'];
}

/** Retries fast in tests; production waits seconds for Aurora to resume. */
export const FAST_RETRY: RetryPolicy = { attempts: 3, budgetMs: 1_000, baseDelayMs: 5, maxDelayMs: 20 };

/** A fresh, empty database on the server at `serverUrl`, and how to drop it. */
export async function createScratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cm_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/**
 * Opens a migrated (unless `migrate: false`), empty database of the given dialect. The data-api dialect is the production
 * path: kysely-data-api → the real AWS SDK client → the local Data API endpoint → PostgreSQL
 * (the server at DATABASE_URL when set, else PGlite); its migrations also run through it.
 */
export async function openTestDatabase(name: DialectName, options: { readonly migrate?: boolean } = {}): Promise<TestDatabase> {
  const onServer = name === 'postgres' || (name === 'data-api' && process.env.DATABASE_URL);
  const scratch = onServer ? await createScratchDatabase(process.env.DATABASE_URL!) : undefined;
  const opened = await openPostgresPool({ databaseUrl: scratch?.url, dataDir: 'memory://', maxConnections: 16 });
  const endpoint = name === 'data-api' ? await startDataApiEndpoint({ pool: opened.pool, port: 0 }) : undefined;
  const db = endpoint
    ? createDataApiDatabase({ ...LOCAL_CLUSTER, endpoint: endpoint.url }, FAST_RETRY)
    : new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened.pool }) });
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    name,
    db,
    kind: endpoint ? 'data-api' : opened.kind,
    ...(endpoint && { endpoint }),
    close: async () => {
      await db.destroy();
      await endpoint?.close();
      await opened.close();
      await scratch?.drop();
    },
  };
}
