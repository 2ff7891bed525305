import { EVENT_CATALOGUE } from './event-catalogue.js';
import { loadConfig } from './config.js';
import { openDataApiDatabase } from './db/data-api-database.js';
import { immediateDeliveryFor } from './events/delivery-runtime.js';
import { createRouteGroupHandler } from './http/route-group-handler.js';
import type { RouteGroup } from './http/route.js';
import { createLogger, parseLogLevel } from './logger.js';
import { routes, type Services } from './routes.js';
import { createServices } from './services.js';

/**
 * The handler a route group's Lambda exports. Configuration is parsed at cold start (a bad
 * environment fails the init, naming the variable); the database client is opened once per
 * container, on first use.
 */
export function lambdaHandlerFor(group: RouteGroup) {
  const config = loadConfig();
  const logger = createLogger(parseLogLevel(process.env.LOG_LEVEL));
  let services: Promise<Services> | undefined;
  const getServices = () =>
    (services ??= Promise.resolve(openDataApiDatabase(config)).then((handle) =>
      createServices(handle.db, {
        afterCommit: group === 'customers-write' ? immediateDeliveryFor(config, handle.db, logger, EVENT_CATALOGUE) : undefined,
      }),
    ));
  return createRouteGroupHandler(
    routes.filter((route) => route.group === group),
    getServices,
    logger,
  );
}
