import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { Kysely } from 'kysely';
import type { Database } from '../../functions/db/database.js';
import { createGroupHandlers } from '../../functions/group-handlers.js';
import type { HttpResponse } from '../../functions/http/responses.js';
import { routeKey } from '../../functions/http/route.js';
import { createRouteMatcher } from '../../functions/http/route-matcher.js';
import { unmatchedRouteResponse } from '../../functions/http/unmatched-route.js';
import { createLogger } from '../../functions/logger.js';
import { routes } from '../../functions/routes.js';
import { createServices, type ServiceOptions } from '../../functions/services.js';
import { buildHttpApiEvent } from '../../infra/local/http-api-event.js';
import { createOpenApiValidator } from './openapi-contract.js';

export const BASE = '/api/v1/customer-mgmt';

/** The subject of the default caller: an admin, as API Gateway's JWT authorizer would describe one. */
export const ADMIN_ID = '019b6ec4-0000-7000-8000-00000000ad31';
export const ADMIN_CLAIMS = { sub: ADMIN_ID, roles: '[admin]' };

/** Claims as API Gateway's JWT authorizer passes them: every value a string, arrays as `[a b]`. */
export function claimsFor(roles: readonly string[], sub: string): Record<string, string> {
  return { sub, roles: `[${roles.join(' ')}]` };
}

let contractValidator: ReturnType<typeof createOpenApiValidator> | undefined;
/** One validator per test file: compiling the document's schemas is the expensive part. */
const sharedContract = () => (contractValidator ??= createOpenApiValidator());

export interface ApiCall {
  readonly method: string;
  /** Path with query string, e.g. `/api/v1/customer-mgmt/customers?limit=5`. */
  readonly path: string;
  /** An object is sent as JSON with a JSON content type; a string is sent as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** The authorizer's claims; an admin by default, `null` for a request without any. */
  readonly claims?: Record<string, unknown> | null;
}

export interface ApiResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: any;
  readonly raw: HttpResponse;
}

/**
 * Calls the real route-group Lambda handlers with API Gateway payload 2.0 events, routed by the
 * same route table and matcher as the local server (no HTTP in between).
 */
export function createApiHarness(
  db: Kysely<Database>,
  clock?: () => Date,
  newId?: () => string,
  options: Pick<
    ServiceOptions,
    | 'afterCommit'
    | 'exportStorage'
    | 'exportPageSize'
    | 'exportLauncher'
    | 'importUploads'
    | 'importChunkSize'
    | 'onImportChunk'
    | 'runners'
  > = {},
) {
  const logged: string[] = [];
  const logger = createLogger('info', (line) => logged.push(line));
  const services = createServices(db, { clock, ...(newId && { newId }), ...options });
  const handlers = createGroupHandlers(async () => services, logger);
  const match = createRouteMatcher(routes);
  const contract = sharedContract();

  async function call(request: ApiCall): Promise<ApiResult> {
    const url = new URL(request.path, 'http://localhost');
    const requestId = randomUUID();
    const headers: Record<string, string> = { host: 'localhost', ...request.headers };
    let body: string | undefined;
    if (typeof request.body === 'string') body = request.body;
    else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
    const matched = match(request.method, url.pathname);
    let raw: HttpResponse;
    if (matched.kind !== 'matched') raw = unmatchedRouteResponse(matched, request.method, url.pathname, requestId);
    else {
      const event = buildHttpApiEvent({
        method: request.method,
        path: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        body,
        routeKey: routeKey(matched.route),
        pathParameters: matched.pathParameters,
        requestId,
        claims: request.claims === null ? undefined : (request.claims ?? ADMIN_CLAIMS),
      });
      raw = await handlers[matched.route.group](event, { awsRequestId: requestId } as Context);
    }
    const answer = raw.body ? JSON.parse(raw.body as string) : undefined;
    // Every answer of a route must be one its OpenAPI description promises.
    const violation = matched.kind === 'matched' ? contract.checkResponse(matched.route, raw.statusCode, answer) : null;
    if (violation) throw new Error(`response contract: ${violation}\n${JSON.stringify(answer)}`);
    return { status: raw.statusCode, headers: raw.headers, body: answer, raw };
  }

  /** Makes a user an active sales rep, as Identity's UserRoleGranted event would. */
  const registerSalesRep = (userId: string) => services.salesReps.upsert({ userId, active: true, at: new Date().toISOString() });

  return { call, logged, services, registerSalesRep };
}

export type ApiHarness = ReturnType<typeof createApiHarness>;

/** A valid create body with a unique email, for tests that need "some customer". */
export function newCustomerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Ada Lovelace', email: `ada.${randomUUID().slice(0, 8)}@example.com`, ...overrides };
}

/** A clock that starts at `start` and moves one second per reading, so timestamps are predictable. */
export function steppingClock(start = '2025-12-30T10:00:00.000Z'): () => Date {
  let next = Date.parse(start);
  return () => {
    const now = new Date(next);
    next += 1000;
    return now;
  };
}
