import { ERROR_STATUS } from './error-status.js';
import { createRouteGroupHandler } from './http/route-group-handler.js';
import { ROUTE_GROUPS, type RouteGroup } from './http/route.js';
import type { Logger } from './logger.js';
import { routes, type Services } from './routes.js';

export type GroupHandlers = Record<RouteGroup, ReturnType<typeof createRouteGroupHandler<Services>>>;

/** The Lambda handler of every route group, over the given services. */
export function createGroupHandlers(services: () => Promise<Services>, logger: Logger): GroupHandlers {
  return Object.fromEntries(
    ROUTE_GROUPS.map((group) => [
      group,
      createRouteGroupHandler(
        routes.filter((route) => route.group === group),
        services,
        logger,
        ERROR_STATUS,
      ),
    ]),
  ) as GroupHandlers;
}
