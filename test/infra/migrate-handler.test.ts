import { Console } from 'node:console';
import type { Context } from 'aws-lambda';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { openPostgresPool, type PostgresPool } from '../../functions/db/postgres-pool.js';
import { createDataApiDatabase } from '../../functions/db/data-api-database.js';
import { LOCAL_CLUSTER } from '../../infra/local/local-data-api.js';
import { startDataApiEndpoint, type DataApiEndpoint } from '../../infra/local/data-api/index.js';

// The handler the deploy-time trigger invokes, run as on Lambda: configured by environment
// variables, talking to a Data API endpoint (the local one, over an embedded PostgreSQL).
let pool: PostgresPool;
let endpoint: DataApiEndpoint;
let handler: (event: unknown, context: Context) => Promise<{ applied: string[]; unknown: string[] }>;
const context = { awsRequestId: 'trigger-request' } as Context;
const lines: string[] = [];

beforeAll(async () => {
  pool = await openPostgresPool({ dataDir: 'memory://' });
  endpoint = await startDataApiEndpoint({ pool: pool.pool, port: 0 });
  vi.stubEnv('DB_CLUSTER_ARN', LOCAL_CLUSTER.clusterArn);
  vi.stubEnv('DB_SECRET_ARN', LOCAL_CLUSTER.secretArn);
  vi.stubEnv('DB_NAME', LOCAL_CLUSTER.database);
  vi.stubEnv('AWS_REGION', LOCAL_CLUSTER.region);
  vi.stubEnv('DATA_API_ENDPOINT', endpoint.url);
  vi.stubEnv('LOG_LEVEL', 'warn');
  // The handler's warn lines (Powertools Logger prints through its own node:console Console).
  vi.spyOn(Console.prototype, 'warn').mockImplementation((line: unknown) => void lines.push(String(line)));
  ({ handler } = await import('../../functions/migrate/handler.js'));
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await endpoint.close();
  await pool.close();
});

describe('migrate handler (deploy-time trigger)', () => {
  it('applies every migration through the Data API', async () => {
    const result = await handler({}, context);

    expect(result.applied).toEqual(Object.keys(migrations).sort());
    const db = createDataApiDatabase({ ...LOCAL_CLUSTER, endpoint: endpoint.url });
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    await db.destroy();
    expect(rows.map((row) => row.name)).toEqual(Object.keys(migrations).sort());
  });

  it('is a no-op on the next deploy', async () => {
    expect(await handler({}, context)).toEqual({ applied: [], unknown: [] });
  });

  it('succeeds when the database is ahead of this code (a rollback), logging the migrations it does not know', async () => {
    // A newer deploy applied one more migration; CloudFormation then rolls back to this code.
    const newer = { ...migrations, '2099-01-01T00-00-00_from-a-newer-deploy': { up: async () => undefined } };
    const db = createDataApiDatabase({ ...LOCAL_CLUSTER, endpoint: endpoint.url });
    await new Migrator({ db, provider: { getMigrations: async () => newer } }).migrateToLatest();
    await db.destroy();
    lines.length = 0;

    const result = await handler({}, context);

    expect(result).toEqual({ applied: [], unknown: ['2099-01-01T00-00-00_from-a-newer-deploy'] });
    const logged = lines
      .flatMap((line) => line.split('\n'))
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(logged).toContainEqual(expect.objectContaining({ unknown_migrations: ['2099-01-01T00-00-00_from-a-newer-deploy'] }));
  });

  it('throws (failing the deploy) when the database cannot be reached', async () => {
    await endpoint.close();

    await expect(handler({}, context)).rejects.toThrow();
  });
});
