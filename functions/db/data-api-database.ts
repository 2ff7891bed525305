import { RDSData } from '@aws-sdk/client-rds-data';
import { Kysely, type Driver } from 'kysely';
import { DataApiDialect } from 'kysely-data-api';
import type { Config } from '../config.js';
import { recordDataApiFailure, traced } from '../observability.js';
import type { Database } from './database.js';
import { resilientDataApiClient, resumeRetry, type RetryPolicy } from './resilient-data-api-client.js';
import { TransactionSafeDriver } from './transaction-safe-driver.js';

/** kysely-data-api's dialect with its driver wrapped (see transaction-safe-driver.ts). */
class TransactionSafeDataApiDialect extends DataApiDialect {
  override createDriver(): Driver {
    return new TransactionSafeDriver(super.createDriver());
  }
}

/**
 * Kysely over the RDS Data API. kysely-data-api is used as published: it binds every string
 * untyped (so repositories cast uuid/jsonb/timestamptz in SQL through sql-values.ts) and
 * refuses arrays and objects as parameters (so JSON travels as text). The client is wrapped
 * to retry while Aurora resumes or its writer is unavailable, within the policy's time budget.
 */
/** Where the Data API calls go; the resume budget comes with the retry policy. */
export type DataApiTarget = Omit<NonNullable<Config['dataApi']>, 'resumeBudgetMs'>;

export function createDataApiDatabase(dataApi: DataApiTarget, retry?: RetryPolicy): Kysely<Database> {
  const client = traced(
    new RDSData({
      ...(dataApi.region && { region: dataApi.region }),
      // The local Data API endpoint (npm start, tests) takes any credentials.
      ...(dataApi.endpoint && { endpoint: dataApi.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    }),
  );
  return new Kysely<Database>({
    dialect: new TransactionSafeDataApiDialect({
      mode: 'postgres',
      driver: {
        client: resilientDataApiClient(client, retry, undefined, undefined, recordDataApiFailure) as RDSData,
        database: dataApi.database,
        resourceArn: dataApi.clusterArn,
        secretArn: dataApi.secretArn,
      },
    }),
  });
}

/**
 * The database of a Lambda function: always the Data API. Lambda entry points use this rather
 * than the dialect factory so their bundles carry neither pg nor PGlite.
 */
export function openDataApiDatabase(config: Config): { db: Kysely<Database>; kind: 'data-api'; close(): Promise<void> } {
  if (!config.dataApi)
    throw new Error('Invalid configuration: DB_CLUSTER_ARN, DB_SECRET_ARN and DB_NAME must be set for a Lambda function');
  const db = createDataApiDatabase(config.dataApi, resumeRetry(config.dataApi.resumeBudgetMs));
  return { db, kind: 'data-api', close: () => db.destroy() };
}
