import { failure, type HttpResponse } from './responses.js';
import type { RouteMatch } from './route-matcher.js';

/** The envelope for a request no route takes: 404 for an unknown path, 405 with Allow for a wrong method. */
export function unmatchedRouteResponse(
  match:
    Exclude<RouteMatch<unknown>, { kind: 'matched' | 'method_not_allowed' }> | { kind: 'method_not_allowed'; allowed: readonly string[] },
  method: string,
  path: string,
  requestId: string,
): HttpResponse {
  if (match.kind === 'method_not_allowed') {
    return failure('METHOD_NOT_ALLOWED', `${method} is not supported on ${path}; use ${match.allowed.join(', ')}.`, requestId, {
      headers: { allow: match.allowed.join(', ') },
    });
  }
  return failure('ROUTE_NOT_FOUND', `There is no endpoint at ${path}. The API lives under /api/v1/customer-mgmt.`, requestId);
}
