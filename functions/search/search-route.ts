import type { Kysely } from 'kysely';
import * as z from 'zod';
import type { JsonObject } from '../../domain/shared/json.js';
import type { AccessScope } from '../auth/access.js';
import type { Permission } from '../auth/permissions.js';
import { success } from '../http/responses.js';
import { builtOnFirstUse } from '../http/built-on-first-use.js';
import { defineRoute, type Route } from '../http/route.js';
import { encodeSearchCursor } from './search-cursor.js';
import { searchRequestSchema, type SearchRequest } from './search-request.js';
import { keyColumn, searchStatement, TOTAL_COLUMN } from './search-statement.js';
import type { SearchableObject, SearchRow } from './searchable-object.js';

/** What a search route needs: the database (the read group's role is enough: a search only reads). */
export interface SearchServices {
  readonly db: Kysely<any>;
}

export interface SearchPage {
  readonly rows: readonly SearchRow[];
  readonly next: string | null;
  readonly total: number | undefined;
}

/** Runs a parsed search as its one statement: the page's rows, the next cursor, and the total when asked. */
export async function runSearch(
  db: Kysely<any>,
  object: SearchableObject<any>,
  request: Omit<SearchRequest, 'properties'>,
  scope: AccessScope,
): Promise<SearchPage> {
  const { rows } = await searchStatement(object, { ...request, scope: object.scope(scope) }).execute(db);
  const matches = rows.filter((row) => row.id !== null && row.id !== undefined);
  const page = matches.slice(0, request.limit);
  const last = page[page.length - 1];
  const { sorts } = request.search;
  const next =
    matches.length > request.limit && last
      ? encodeSearchCursor(sorts, { keys: sorts.map((_, index) => (last[keyColumn(index)] as string | null) ?? null), id: String(last.id) })
      : null;
  return { rows: page, next, total: request.count ? Number(rows[0]?.[TOTAL_COLUMN] ?? 0) : undefined };
}

/** Only the requested fields of a representation, id always first. */
export function pick(body: JsonObject, properties: readonly string[] | undefined): JsonObject {
  if (!properties) return body;
  return Object.fromEntries(['id', ...properties.filter((name) => name !== 'id')].map((name) => [name, body[name] ?? null]));
}

/**
 * `POST /{object}/search`: the same grammar for every object, read with the object's read
 * permission. It is a read (route group api-read: read-only database role, no Idempotency-Key),
 * even though the filter tree travels in a POST body.
 */
export function searchRoute<S>(
  object: SearchableObject<S>,
  permission: Permission,
): Route<undefined, undefined, SearchRequest, S & SearchServices> {
  // Built on the route's first request (or when the OpenAPI document is asked for), not at import.
  const schema = builtOnFirstUse(() => searchRequestSchema(object));
  const everything = builtOnFirstUse(() => schema().parse({}));
  const data = builtOnFirstUse(() => z.array(object.representation.partial()));
  return defineRoute({
    method: 'POST',
    path: `/${object.name}/search`,
    group: 'api-read',
    operationId: `search${object.name[0]!.toUpperCase()}${object.name.slice(1)}`,
    summary: `Search ${object.name}: filter groups (OR of ANDs), free text, sorts, chosen fields, keyset cursor, optional total`,
    permission,
    body: {
      get schema() {
        return schema();
      },
      required: false,
    },
    response: {
      status: 200,
      get data() {
        return data();
      },
      paginated: true,
    },
    handle: async ({ body, scope }, services: S & SearchServices) => {
      const request = body ?? everything();
      const page = await runSearch(services.db, object, request, scope);
      const items = object.represent(page.rows, services).map((item) => pick(item, request.properties));
      return success(200, items, {
        pagination: { limit: request.limit, next_cursor: page.next, ...(page.total !== undefined && { total: page.total }) },
      });
    },
  });
}
