import type { Config } from '../../functions/config.js';
import { openDatabase, type DatabaseHandle } from '../../functions/db/database-factory.js';
import { openPostgresPool } from '../../functions/db/postgres-pool.js';
import { startDataApiEndpoint, type DataApiEndpoint } from './data-api/index.js';
import { API_RESUME_RETRY } from '../../functions/db/resilient-data-api-client.js';
import { LOCAL_CLUSTER } from './local-data-api.js';

export type LocalDbMode = 'direct' | 'data-api';

export function parseDbMode(value: string | undefined): LocalDbMode {
  if (value === undefined || value === '' || value === 'direct') return 'direct';
  if (value === 'data-api') return 'data-api';
  throw new Error(`DB_MODE must be "direct" or "data-api", got "${value}"`);
}

/**
 * The database of the local stack. `direct` queries PGlite (or DATABASE_URL) through pg;
 * `data-api` takes the production path — kysely-data-api and the AWS SDK against the local
 * Data API endpoint, which executes on that same database.
 */
export async function openLocalDatabase(config: Config, mode: LocalDbMode): Promise<DatabaseHandle & { endpoint?: DataApiEndpoint }> {
  if (mode === 'direct') return openDatabase(config);
  const backing = await openPostgresPool({
    databaseUrl: config.databaseUrl,
    dataDir: `${config.dataDir}/pglite`,
    maxConnections: config.poolSize,
  });
  const endpoint = await startDataApiEndpoint({ pool: backing.pool, port: 0 });
  const handle = await openDatabase({
    ...config,
    dataApi: { ...LOCAL_CLUSTER, endpoint: endpoint.url, resumeBudgetMs: config.dataApi?.resumeBudgetMs ?? API_RESUME_RETRY.budgetMs },
  });
  return {
    ...handle,
    endpoint,
    close: async () => {
      await handle.close();
      await endpoint.close();
      await backing.close();
    },
  };
}
