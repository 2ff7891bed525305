import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../functions/db/database.js';
import type { DatabaseHandle } from '../../functions/db/database-factory.js';
import { migrateToLatest } from '../../functions/db/migrate.js';
import { openPostgresPool } from '../../functions/db/postgres-pool.js';

export type DialectName = 'pglite' | 'postgres' | 'data-api';

export interface TestDatabase extends DatabaseHandle {
  readonly name: DialectName;
}

/**
 * The dialects every persistence and API suite runs on: the embedded PGlite always, a real
 * PostgreSQL server when DATABASE_URL is set (a fresh database per suite, dropped afterwards).
 */
export function availableDialects(): DialectName[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

async function createScratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
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

/** Opens a migrated, empty database of the given dialect. */
export async function openTestDatabase(name: DialectName): Promise<TestDatabase> {
  if (name === 'data-api') throw new Error('the data-api dialect is opened by test/support/data-api-database.ts');
  const scratch = name === 'postgres' ? await createScratchDatabase(process.env.DATABASE_URL!) : undefined;
  const opened = await openPostgresPool({ databaseUrl: scratch?.url, dataDir: 'memory://', maxConnections: 16 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened.pool }) });
  await migrateToLatest(db);
  return {
    name,
    db,
    kind: opened.kind,
    close: async () => {
      await db.destroy();
      await opened.close();
      await scratch?.drop();
    },
  };
}
