import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { validationFailed } from '../../domain/errors.js';
import { classifyDatabaseError } from '../db/database-errors.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { isValidIdempotencyKey, runIdempotently } from '../idempotency/idempotent-request.js';
import type { Logger } from '../logger.js';
import { decideAccess, type AccessScope } from '../auth/access.js';
import { actorFrom, type Actor } from './actor.js';
import { findUnstorableText } from './clean-input.js';
import { HttpError, type ApiError, type ErrorStatusTable } from './http-errors.js';
import { jsonBody } from './json-body.js';
import { errorResponse, failure, type HttpResponse } from './responses.js';
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
const NoQuery = z.strictObject({});

/** 401 without a usable identity, 403 when the caller's roles do not grant the route's permission. */
function authorize(route: Route<any, any, any, any>, actor: Actor): AccessScope {
  if (route.public) return { kind: 'all' };
  if (!route.permission) throw new Error(`route ${routeKey(route)} has no permission`);
  const decision = decideAccess(actor, route.permission);
  if (decision.allowed) return decision.scope;
  if (decision.reason === 'unauthenticated') {
    throw new HttpError('UNAUTHORIZED', 'Send a valid bearer token in the Authorization header.', undefined, {
      'www-authenticate': 'Bearer realm="customer-mgmt"',
    });
  }
  if (decision.reason === 'subject_not_uuid') {
    throw new HttpError(
      'FORBIDDEN',
      'Sales reps must be Identity users: the token subject must be the Identity user id (a UUID), because a sales rep sees the customers assigned to that id.',
      { required_permission: route.permission.name, roles: [...decision.roles], reason: 'subject_not_uuid' },
    );
  }
  throw new HttpError('FORBIDDEN', `Your roles (${decision.roles.join(', ') || 'none'}) do not allow ${route.permission.name}.`, {
    required_permission: route.permission.name,
    roles: [...decision.roles],
  });
}

/** 403 when the body carries a field whose own route the caller's roles do not grant. */
function authorizeFields(route: Route<any, any, any, any>, actor: Actor, body: unknown): void {
  if (!route.fieldPermissions || body === null || typeof body !== 'object') return;
  for (const [field, permission] of Object.entries(route.fieldPermissions)) {
    if ((body as Record<string, unknown>)[field] === undefined) continue;
    const decision = decideAccess(actor, permission);
    if (decision.allowed) continue;
    throw new HttpError(
      'FORBIDDEN',
      `Your roles (${decision.roles.join(', ') || 'none'}) do not allow ${permission.name}, which setting ${field} needs.`,
      {
        field,
        required_permission: permission.name,
        roles: [...decision.roles],
      },
    );
  }
}

/** What the routing step learns about a request before its body is parsed. */
interface Resolved {
  readonly route: Route<any, any, any, any>;
  readonly actor: Actor;
  readonly scope: AccessScope;
}

/** Services every route group needs beyond its routes' own. */
export interface HandlerServices {
  readonly idempotency: IdempotencyStore;
}

function parseRequest({ route, actor, scope }: Resolved, event: APIGatewayProxyEventV2): RouteRequest<unknown, unknown, unknown> {
  const body = event.body as unknown;
  if (route.body?.required && body === undefined) {
    throw new HttpError('VALIDATION_FAILED', 'The request needs a JSON body.', {
      fields: [{ field: 'body', message: 'a JSON body is required' }],
    });
  }
  const params = route.params ? parseOrThrow(route.params, event.pathParameters ?? {}) : undefined;
  const query = parseOrThrow(route.query ?? NoQuery, { ...queryObject(event.rawQueryString) });
  const parsedBody = body === undefined ? undefined : parseOrThrow(route.body?.schema ?? EmptyBody, body, '', route.body?.hints);
  // Safety net for schemas built from a bare z.string(): nothing PostgreSQL refuses gets further.
  for (const parsed of [params, query, parsedBody]) {
    const unstorable = findUnstorableText(parsed);
    if (unstorable) {
      const failure = validationFailed([{ field: unstorable.path || 'body', message: unstorable.problem }]);
      throw new HttpError('VALIDATION_FAILED', failure.message, failure.details);
    }
  }
  authorizeFields(route, actor, parsedBody);
  return {
    params,
    query,
    body: parsedBody,
    headers: event.headers ?? {},
    actor,
    scope,
    requestId: event.requestContext.requestId,
  };
}

function isApiError(value: HttpResponse | ApiError): value is ApiError {
  return 'code' in value && !('statusCode' in value);
}

/**
 * The Idempotency-Key of a POST or PUT, checked; undefined when the request has none (or cannot
 * have one). A read group's POST (a search) changes nothing, so it neither needs nor stores a key.
 */
function idempotencyKeyOf(route: Route<any, any, any, any>, event: APIGatewayProxyEventV2): string | undefined {
  const key = event.headers['idempotency-key'];
  if (key === undefined || (route.method !== 'POST' && route.method !== 'PUT') || route.group === 'api-read') return undefined;
  if (!isValidIdempotencyKey(key)) {
    throw new HttpError('VALIDATION_FAILED', 'The Idempotency-Key header must be 1-255 visible ASCII characters, e.g. a UUID.', {
      fields: [{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters, e.g. a UUID' }],
    });
  }
  return key;
}

/**
 * The Lambda handler of one route group: dispatches on API Gateway's routeKey, checks the
 * caller's access before reading the body, parses the request at the edge, runs the route,
 * and renders every failure as the error envelope.
 */
export function createRouteGroupHandler<S extends HandlerServices>(
  routes: readonly Route<any, any, any, S>[],
  services: () => Promise<S>,
  logger: Logger,
  errorStatus: ErrorStatusTable,
) {
  const byKey = new Map(routes.map((route) => [routeKey(route), route]));
  const resolved = new WeakMap<APIGatewayProxyEventV2, Resolved>();

  const routing: MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> = {
    before: ({ event }) => {
      const route = byKey.get(event.routeKey);
      if (!route) throw new HttpError('ROUTE_NOT_FOUND', `No route ${event.routeKey} in this function.`);
      const actor = actorFrom(event);
      resolved.set(event, { route, actor, scope: authorize(route, actor) });
    },
  };

  const errorEnvelope: MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> = {
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
        logger.error('unhandled error', {
          request_id: requestId,
          route: event.routeKey,
          error: String(error),
          stack: (error as Error)?.stack,
        });
        request.response = failure('INTERNAL_ERROR', 'Something went wrong on our side. Quote the request id if you report it.', requestId);
      }
    },
  };

  const dispatch = async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    const context = resolved.get(event)!;
    const request = parseRequest(context, event);
    const available = await services();
    const run = async () => {
      const result = await context.route.handle(request, available);
      return isApiError(result) ? errorResponse(errorStatus[result.code], result, request.requestId) : result;
    };
    const key = idempotencyKeyOf(context.route, event);
    if (key === undefined) return run();
    const outcome = await runIdempotently(
      available.idempotency,
      { caller: context.actor.id, key, method: context.route.method, path: event.rawPath, body: event.body as unknown, now: new Date() },
      run,
    );
    switch (outcome.kind) {
      case 'ran':
        return outcome.response;
      case 'replayed':
        return { ...outcome.response, headers: { ...outcome.response.headers, 'idempotent-replayed': 'true' } };
      case 'key_reused':
        throw new HttpError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used with a different request; use a new key for a new request.',
        );
      case 'in_progress':
        throw new HttpError(
          'IDEMPOTENCY_REQUEST_IN_PROGRESS',
          'A request with this Idempotency-Key is still being processed; retry shortly.',
          undefined,
          {
            'retry-after': '1',
          },
        );
    }
  };

  return middy<APIGatewayProxyEventV2, HttpResponse, Error, Context>(dispatch)
    .use(errorEnvelope)
    .use(routing)
    .use(jsonBody((event) => resolved.get(event)?.route.maxBodyBytes));
}
