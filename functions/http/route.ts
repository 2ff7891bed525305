import type { z } from 'zod';
import type { AccessScope } from '../auth/access.js';
import type { Permission } from '../auth/permissions.js';
import type { Actor } from './actor.js';
import type { ApiError, ErrorCode } from './http-errors.js';
import type { HttpResponse } from './responses.js';

export const BASE_PATH = '/api/v1/customer-mgmt';

/**
 * The route groups: each is one Lambda function. Groups are per capability, not per aggregate:
 * least privilege follows what a function does (the read group gets the read-only database role,
 * no transactions and no bus; only the write group publishes events), every aggregate's routes
 * share the warm functions of their capability, and a new aggregate adds routes, not functions.
 * This table (not `if (group === …)`) says which group publishes events.
 */
export const ROUTE_GROUP_TABLE = {
  'api-read': { publishesEvents: false, description: 'Customer Management: every read route (GET) of every aggregate' },
  'api-write': { publishesEvents: true, description: 'Customer Management: every route that changes an aggregate' },
} as const satisfies Record<string, { readonly publishesEvents: boolean; readonly description: string }>;
export type RouteGroup = keyof typeof ROUTE_GROUP_TABLE;
export const ROUTE_GROUPS = Object.keys(ROUTE_GROUP_TABLE) as RouteGroup[];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteRequest<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly actor: Actor;
  /** Which customers this caller may see, decided from their roles before the handler runs. */
  readonly scope: AccessScope;
  readonly requestId: string;
}

/** What a route answers when it succeeds: documented in OpenAPI and checked against real responses in tests. */
export interface SuccessResponse {
  readonly status: 200 | 201 | 202 | 204;
  /** The envelope's `data` (absent for 204). */
  readonly data?: z.ZodType;
  /** The envelope's optional `warnings` (a create that succeeded but has something to say, e.g. possible duplicates). */
  readonly warnings?: z.ZodType;
  /** Lists add `pagination: {limit, next_cursor}` to the envelope. */
  readonly paginated?: boolean;
  /** The body is `data` itself rather than the envelope (the OpenAPI document). */
  readonly raw?: boolean;
  /** Response headers beyond X-Request-Id. */
  readonly headers?: readonly ('etag' | 'location')[];
  /** Another success status with the same body, e.g. 200 when a create finds what it would create already there. */
  readonly alternative?: { readonly status: 200 | 207; readonly description: string };
}

/** One entry of the route table: everything the Lambda, the local server, CDK and the docs need. */
export interface Route<P = unknown, Q = unknown, B = unknown, S = unknown> {
  readonly method: HttpMethod;
  /** Path below BASE_PATH (or absolute when `public`), with API Gateway `{name}` parameters. */
  readonly path: string;
  readonly group: RouteGroup;
  readonly operationId: string;
  readonly summary: string;
  /** Public routes (health) sit outside BASE_PATH and need no token. */
  readonly public?: boolean;
  /** What the caller's roles must grant (see auth/permissions.ts); every non-public route has one. */
  readonly permission?: Permission;
  /**
   * Body fields that have a route of their own, with that route's permission: a caller may send
   * such a field here only if their roles grant that permission too (e.g. `tier` on create needs
   * customers:tier, as PUT …/tier does).
   */
  readonly fieldPermissions?: Readonly<Record<string, Permission>>;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: {
    readonly schema: z.ZodType<B>;
    readonly required: boolean;
    /** What to tell a caller who sends one of these (refused) top-level keys, e.g. where it is changed instead. */
    readonly hints?: Readonly<Record<string, string>>;
  };
  readonly response: SuccessResponse;
  /** The largest body this route takes, in bytes, when it is not the default (MAX_BODY_BYTES): batch routes take 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Expected failures of this route beyond those every route of its kind can answer (see openapi/). */
  readonly errors?: readonly ErrorCode[];
  /** Conditional requests it honours: If-Match on a write, If-None-Match (→ 304) on a read. */
  readonly conditional?: 'if-match' | 'if-none-match';
  readonly handle: (request: RouteRequest<P, Q, B>, services: S) => Promise<HttpResponse | ApiError>;
}

/** Keeps a route's schemas and handler in step at compile time. */
export function defineRoute<P = undefined, Q = undefined, B = undefined, S = unknown>(route: Route<P, Q, B, S>): Route<P, Q, B, S> {
  return route;
}

/** The full request path of a route, as API Gateway and the local server see it. */
export function fullPath(route: Pick<Route, 'path' | 'public'>): string {
  return route.public ? route.path : `${BASE_PATH}${route.path}`;
}

/** API Gateway's route key, e.g. `POST /api/v1/customer-mgmt/customers/{id}/qualify`. */
export function routeKey(route: Pick<Route, 'method' | 'path' | 'public'>): string {
  return `${route.method} ${fullPath(route)}`;
}
