import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { z } from 'zod';
import type { DomainError } from '../../domain/errors.js';
import { classifyDatabaseError } from '../db/database-errors.js';
import type { Logger } from '../logger.js';
import { actorFrom } from './actor.js';
import { HttpError } from './http-errors.js';
import { jsonBody } from './json-body.js';
import { failure, type HttpResponse } from './responses.js';
import { routeKey, type Route, type RouteRequest } from './route.js';
import { parseOrThrow } from './validation.js';

// Query strings are parsed from rawQueryString: API Gateway joins repeated keys with commas in
// queryStringParameters, which would make `tag=a,b` and `tag=a&tag=b` indistinguishable.
function queryObject(rawQueryString: string | undefined): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(rawQueryString ?? '')) {
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

const EmptyBody = z.undefined({ error: 'this endpoint takes no request body' });

function parseRequest(route: Route<any, any, any, any>, event: APIGatewayProxyEventV2): RouteRequest<unknown, unknown, unknown> {
  const body = event.body as unknown;
  if (route.body?.required && body === undefined) {
    throw new HttpError('VALIDATION_FAILED', 'The request needs a JSON body.', { fields: [{ field: 'body', message: 'a JSON body is required' }] });
  }
  return {
    params: route.params ? parseOrThrow(route.params, event.pathParameters ?? {}) : undefined,
    query: parseOrThrow(route.query ?? z.strictObject({}), { ...queryObject(event.rawQueryString) }),
    body: body === undefined ? undefined : parseOrThrow(route.body?.schema ?? EmptyBody, body),
    headers: event.headers ?? {},
    actor: actorFrom(event),
    requestId: event.requestContext.requestId,
  };
}

function isDomainError(value: HttpResponse | DomainError): value is DomainError {
  return 'code' in value && !('statusCode' in value);
}

/**
 * The Lambda handler of one route group: dispatches on API Gateway's routeKey, parses the
 * request at the edge, runs the route, and renders every failure as the error envelope.
 */
export function createRouteGroupHandler<S>(
  routes: readonly Route<any, any, any, S>[],
  services: () => Promise<S>,
  logger: Logger,
) {
  const byKey = new Map(routes.map((route) => [routeKey(route), route]));

  const dispatch = async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    const route = byKey.get(event.routeKey);
    if (!route) throw new HttpError('ROUTE_NOT_FOUND', `No route ${event.routeKey} in this function.`);
    const request = parseRequest(route, event);
    const result = await route.handle(request, await services());
    if (!isDomainError(result)) return result;
    return failure(result.code, result.message, request.requestId, { details: result.details });
  };

  return middy<APIGatewayProxyEventV2, HttpResponse, Error, Context>(dispatch)
    .use(jsonBody())
    .use({
      after: (request) => {
        request.response!.headers['x-request-id'] = request.event.requestContext.requestId;
      },
      onError: (request) => {
        const { error, event } = request;
        const requestId = event.requestContext.requestId;
        const databaseFailure = classifyDatabaseError(error);
        if (error instanceof HttpError) {
          request.response = failure(error.code, error.message, requestId, { details: error.details, headers: error.headers });
        } else if (databaseFailure?.kind === 'unavailable' || databaseFailure?.kind === 'serialization_failure') {
          // Nothing was applied: the database was resuming, or aborted the statement to keep data consistent.
          const retryAfter = databaseFailure.kind === 'unavailable' ? '15' : '1';
          logger.warn('database temporarily unavailable', { request_id: requestId, route: event.routeKey, reason: databaseFailure.kind });
          request.response = failure('SERVICE_UNAVAILABLE', `The database is temporarily unavailable; retry in ${retryAfter} s.`, requestId, {
            headers: { 'retry-after': retryAfter },
          });
        } else {
          // Internals stay in the log; the caller gets the request id to quote.
          logger.error('unhandled error', { request_id: requestId, route: event.routeKey, error: String(error), stack: (error as Error)?.stack });
          request.response = failure('INTERNAL_ERROR', 'Something went wrong on our side. Quote the request id if you report it.', requestId);
        }
      },
    });
}
