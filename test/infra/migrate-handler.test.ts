import { Console } from 'node:console';
import type { Context } from 'aws-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Migrator, sql } from 'kysely';
import { DATABASE_ROLES } from '../../functions/db/database-roles.js';
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
const READ_SECRET = 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:read-role-AbCdEf';
const WRITE_SECRET = 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:write-role-AbCdEf';
// Every run sets the role passwords; the tests before the one about them answer with these.
const anySecrets = mockClient(SecretsManagerClient);
anySecrets.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string }) => ({
  SecretString: JSON.stringify({
    username: input.SecretId === READ_SECRET ? DATABASE_ROLES.read : DATABASE_ROLES.write,
    password: 'initial-password-0123456789',
  }),
}));

beforeAll(async () => {
  pool = await openPostgresPool({ dataDir: 'memory://' });
  endpoint = await startDataApiEndpoint({ pool: pool.pool, port: 0 });
  vi.stubEnv('DB_CLUSTER_ARN', LOCAL_CLUSTER.clusterArn);
  vi.stubEnv('DB_SECRET_ARN', LOCAL_CLUSTER.secretArn);
  vi.stubEnv('DB_NAME', LOCAL_CLUSTER.database);
  vi.stubEnv('AWS_REGION', LOCAL_CLUSTER.region);
  vi.stubEnv('DATA_API_ENDPOINT', endpoint.url);
  vi.stubEnv('LOG_LEVEL', 'warn');
  vi.stubEnv('DB_ROLE_SECRET_ARNS', `${READ_SECRET},${WRITE_SECRET}`);
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

  it('gives the application roles the passwords their secrets hold, as SCRAM verifiers', async () => {
    const secrets = mockClient(SecretsManagerClient);
    const stored = {
      [READ_SECRET]: { username: DATABASE_ROLES.read, password: 'read-password-0123456789' },
      [WRITE_SECRET]: { username: DATABASE_ROLES.write, password: 'write-password-0123456789' },
    };
    secrets
      .on(GetSecretValueCommand)
      .callsFake(async (input: { SecretId: string }) => ({ SecretString: JSON.stringify(stored[input.SecretId as keyof typeof stored]) }));
    try {
      await handler({}, context);
    } finally {
      secrets.restore();
    }

    expect(
      secrets
        .commandCalls(GetSecretValueCommand)
        .map((call) => call.args[0].input.SecretId)
        .sort(),
    ).toEqual([READ_SECRET, WRITE_SECRET]);
    const { rows } = await pool.pool.query<{ rolname: string; rolpassword: string }>(
      `select rolname, rolpassword from pg_authid where rolname like 'customer_mgmt_app_%' order by rolname`,
    );
    expect(rows.map((row) => row.rolname)).toEqual([DATABASE_ROLES.read, DATABASE_ROLES.write]);
    for (const row of rows) expect(row.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it('throws (failing the deploy) when the database cannot be reached', async () => {
    await endpoint.close();

    await expect(handler({}, context)).rejects.toThrow();
  });
});
