import { mkdirSync } from 'node:fs';
import { loadConfig } from '../../functions/config.js';
import { migrateToLatest } from '../../functions/db/migrate.js';
import { createGroupHandlers } from '../../functions/group-handlers.js';
import { createLogger, parseLogLevel } from '../../functions/logger.js';
import { routes } from '../../functions/routes.js';
import { createServices } from '../../functions/services.js';
import { createDevAuthorizer, loadOrCreateDevKeys } from './dev-auth.js';
import { openLocalDatabase, parseDbMode } from './local-database.js';
import { startLocalServer } from './local-server.js';

/** `npm start`: the API on this machine, with the same handlers and route table as on AWS. */
async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig();
  const logger = createLogger(parseLogLevel(process.env.LOG_LEVEL));
  const port = Number(process.env.PORT ?? 8081);
  mkdirSync(config.dataDir, { recursive: true });

  const database = await openLocalDatabase(config, parseDbMode(process.env.DB_MODE));
  const applied = await migrateToLatest(database.db);
  const services = createServices(database.db);
  const keys = await loadOrCreateDevKeys(config.dataDir);
  const server = await startLocalServer({
    routes,
    handlers: createGroupHandlers(async () => services, logger),
    port,
    logger,
    authorize: createDevAuthorizer(keys),
  });
  logger.info('customer-mgmt API listening', {
    url: `${server.url}/api/v1/customer-mgmt`,
    database: database.kind,
    ...(database.endpoint && { data_api_endpoint: database.endpoint.url, backing_database: config.databaseUrl ? 'postgres' : 'pglite' }),
    ...(!config.databaseUrl && { data_dir: config.dataDir }),
    migrations_applied: applied,
    startup_ms: Math.round(performance.now() - started),
    get_a_token: 'npm run token -- --role admin   (the last line printed is the bearer token)',
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await server.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`customer-mgmt failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
