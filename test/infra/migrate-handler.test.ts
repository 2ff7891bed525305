import type { Context } from 'aws-lambda';
import { sql } from 'kysely';
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
let handler: (event: unknown, context: Context) => Promise<{ applied: string[] }>;
const context = { awsRequestId: 'trigger-request' } as Context;

beforeAll(async () => {
  pool = await openPostgresPool({ dataDir: 'memory://' });
  endpoint = await startDataApiEndpoint({ pool: pool.pool, port: 0 });
  vi.stubEnv('DB_CLUSTER_ARN', LOCAL_CLUSTER.clusterArn);
  vi.stubEnv('DB_SECRET_ARN', LOCAL_CLUSTER.secretArn);
  vi.stubEnv('DB_NAME', LOCAL_CLUSTER.database);
  vi.stubEnv('AWS_REGION', LOCAL_CLUSTER.region);
  vi.stubEnv('DATA_API_ENDPOINT', endpoint.url);
  vi.stubEnv('LOG_LEVEL', 'silent');
  ({ handler } = await import('../../functions/migrate/handler.js'));
});

afterAll(async () => {
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
    expect(await handler({}, context)).toEqual({ applied: [] });
  });

  it('throws (failing the deploy) when the database cannot be reached', async () => {
    await endpoint.close();

    await expect(handler({}, context)).rejects.toThrow();
  });
});
