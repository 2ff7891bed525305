/**
 * Test harness: the local Data API endpoint over each available backend (PGlite always, the
 * PostgreSQL server of DATABASE_URL when set), driven with the real AWS SDK client.
 */
import { randomBytes } from 'node:crypto';
import {
  BatchExecuteStatementCommand,
  type BatchExecuteStatementCommandInput,
  type BatchExecuteStatementCommandOutput,
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  type ExecuteStatementCommandOutput,
  RDSDataClient,
  RollbackTransactionCommand,
} from '@aws-sdk/client-rds-data';
import { openPostgresPool, type PostgresPool } from '../../functions/db/postgres-pool.js';
import { type DataApiEndpoint, type DataApiEndpointOptions, startDataApiEndpoint } from '../../infra/local/data-api/index.js';

export type BackendName = 'pglite' | 'postgres';

/** The backends this run can use: PGlite, and PostgreSQL when DATABASE_URL is set. */
export const backends: BackendName[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export const ARNS = {
  resourceArn: 'arn:aws:rds:us-east-1:000000000000:cluster:local',
  secretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:local',
} as const;

export const clientConfig = (url: string) => ({
  endpoint: url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});

export function openBackend(backend: BackendName, maxConnections?: number): Promise<PostgresPool> {
  if (backend === 'postgres') {
    return openPostgresPool({ dataDir: '', databaseUrl: process.env.DATABASE_URL, maxConnections: maxConnections ?? 4 });
  }
  return openPostgresPool({ dataDir: 'memory://' });
}

export interface Harness {
  readonly backend: BackendName;
  readonly database: PostgresPool;
  readonly endpoint: DataApiEndpoint;
  readonly client: RDSDataClient;
  /** A schema of this harness's own, so parallel test files never share a table. */
  readonly schema: string;
  /** `schema.name` */
  table(name: string): string;
  execute(sql: string, input?: Partial<ExecuteStatementCommandInput>): Promise<ExecuteStatementCommandOutput>;
  batch(sql: string, input?: Partial<BatchExecuteStatementCommandInput>): Promise<BatchExecuteStatementCommandOutput>;
  begin(): Promise<string>;
  commit(transactionId: string): Promise<string | undefined>;
  rollback(transactionId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function startHarness(
  backend: BackendName,
  options: Omit<DataApiEndpointOptions, 'pool'> & { maxConnections?: number } = {},
): Promise<Harness> {
  const database = await openBackend(backend, options.maxConnections);
  const schema = `dapi_${randomBytes(5).toString('hex')}`;
  await database.pool.query(`CREATE SCHEMA ${schema}`);
  const endpoint = await startDataApiEndpoint({ ...options, pool: database.pool });
  const client = new RDSDataClient(clientConfig(endpoint.url));
  return {
    backend,
    database,
    endpoint,
    client,
    schema,
    table: (name) => `${schema}.${name}`,
    execute: (sql, input = {}) => client.send(new ExecuteStatementCommand({ ...ARNS, sql, ...input })),
    batch: (sql, input = {}) => client.send(new BatchExecuteStatementCommand({ ...ARNS, sql, ...input })),
    begin: async () => (await client.send(new BeginTransactionCommand({ ...ARNS }))).transactionId as string,
    commit: async (transactionId) => (await client.send(new CommitTransactionCommand({ ...ARNS, transactionId }))).transactionStatus,
    rollback: async (transactionId) => (await client.send(new RollbackTransactionCommand({ ...ARNS, transactionId }))).transactionStatus,
    async close() {
      client.destroy();
      await endpoint.close();
      await database.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await database.close();
    },
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { name: string };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
