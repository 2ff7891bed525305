import { EVENT_CATALOGUE } from '../../functions/event-catalogue.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { localExportStorage } from '../../functions/exports/export-storage.js';
import { LOCAL_EXPORT_DOWNLOAD_PATH, localExportDownload } from './local-export-download.js';
import { localImportUploads } from '../../functions/imports/import-uploads.js';
import { LOCAL_IMPORT_UPLOAD_PATH, localImportUpload } from './local-import-upload.js';
import { API_REFERENCE_PATH, apiReferenceEndpoints } from './api-reference.js';
import { loadConfig } from '../../functions/config.js';
import { migrateToLatest } from '../../functions/db/migrate.js';
import { NO_RETRY, RELAY_RETRY, createEventBridgePublisher } from '../../functions/events/eventbridge-publisher.js';
import { createImmediateDelivery } from '../../functions/events/immediate-delivery.js';
import { createOutbox } from '../../functions/events/outbox.js';
import { relayOnce } from '../../functions/events/outbox-relay.js';
import { createGroupHandlers } from '../../functions/group-handlers.js';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { createLogger, parseLogLevel } from '../../functions/logger.js';
import { routes } from '../../functions/routes.js';
import { createServices } from '../../functions/services.js';
import { createDevAuthorizer, loadOrCreateDevKeys } from './dev-auth.js';
import { openLocalDatabase, parseDbMode } from './local-database.js';
import { createLocalEventBus } from './local-event-bus.js';
import { startLocalEventRelay } from './local-event-relay.js';
import { createLocalEventIntake, LOCAL_EVENT_INTAKE } from './local-event-intake.js';
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

  // Events go to the in-process bus by the same publisher, claims and relay as on AWS.
  const bus = createLocalEventBus({ logger });
  const outbox = createOutbox(database.db);
  const publisherFor = (retry: typeof RELAY_RETRY) =>
    createEventBridgePublisher({
      client: bus.client,
      busName: config.events.busName ?? 'customer-mgmt-local',
      source: config.events.source,
      catalogue: EVENT_CATALOGUE,
      retry,
    });
  const afterCommit = config.events.deliverAfterCommit
    ? createImmediateDelivery({ outbox, publisher: publisherFor(NO_RETRY), logger, budgetMs: config.events.publishBudgetMs })
    : undefined;
  // Export files go under DATA_DIR/exports; their download URLs point at this server (localExportDownload).
  const exportStorage = localExportStorage({
    dir: join(config.dataDir, 'exports'),
    downloadUrl: `http://127.0.0.1:${port}${LOCAL_EXPORT_DOWNLOAD_PATH}`,
  });
  // Import files are PUT to this server (localImportUpload) and kept under DATA_DIR/imports.
  const importUploads = localImportUploads({
    dir: join(config.dataDir, 'imports'),
    uploadUrl: `http://127.0.0.1:${port}${LOCAL_IMPORT_UPLOAD_PATH}`,
  });
  const services = createServices(database.db, {
    afterCommit,
    exportStorage,
    importUploads,
    onImportError: (importId, error) => logger.error('import failed', { import_id: importId, error: String(error) }),
    onExportError: (exportId, error) => logger.error('export failed', { export_id: exportId, error: String(error) }),
    // The failure is on the run (GET /analytics/runs/{id}); the log says so too.
    onAnalyticsRunError: (runId, error) => logger.error('analytics run failed', { run_id: runId, error: String(error) }),
  });
  const relayPublisher = publisherFor(RELAY_RETRY);
  const relay = startLocalEventRelay({
    intervalMs: config.events.relay.intervalMs,
    logger,
    sweep: () => relayOnce({ outbox, publisher: relayPublisher, logger, ...config.events.relay, budgetMs: config.events.relay.intervalMs }),
  });
  const keys = await loadOrCreateDevKeys(config.dataDir);
  const server = await startLocalServer({
    routes,
    handlers: createGroupHandlers(async () => services, logger),
    port,
    logger,
    authorize: createDevAuthorizer(keys),
    // `npm run events:send` posts here: the platform's bus, played by the local server.
    // …and GET /docs the API reference, rendered by Swagger UI from node_modules.
    localEndpoints: {
      [LOCAL_EVENT_INTAKE]: createLocalEventIntake(createEventConsumer(database.db, { afterCommit }), logger),
      ...apiReferenceEndpoints('/openapi.json'),
      ...localExportDownload(exportStorage),
    },
    streamEndpoints: localImportUpload(importUploads, () => services.imports),
  });
  // Imports a previous run of the server left unfinished go on from their last recorded chunk.
  const resumed = await services.imports.resumeUnfinished();
  if (resumed > 0) logger.info('resuming unfinished imports', { imports: resumed });
  logger.info('customer-mgmt API listening', {
    url: `${server.url}/api/v1/customer-mgmt`,
    api_reference: `${server.url}${API_REFERENCE_PATH}`,
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
    await relay.stop();
    await services.exports.idle();
    services.imports.pause();
    await services.imports.idle();
    await bus.idle();
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
