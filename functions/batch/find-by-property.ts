import type { Kysely } from 'kysely';
import type { AccessScope } from '../auth/access.js';
import { searchRequestSchema } from '../search/search-request.js';
import { runSearch } from '../search/search-route.js';
import type { SearchableObject } from '../search/searchable-object.js';

const schemas = new WeakMap<SearchableObject<any>, ReturnType<typeof searchRequestSchema>>();

/**
 * The id of the live record in the caller's scope whose property equals `value` exactly (a unique
 * key such as an external id), through the object's search declaration: one statement, and the
 * scope is the one every read of the object applies.
 */
export async function idByProperty(
  db: Kysely<any>,
  object: SearchableObject<any>,
  property: string,
  value: string,
  scope: AccessScope,
): Promise<string | null> {
  let schema = schemas.get(object);
  if (!schema) schemas.set(object, (schema = searchRequestSchema(object)));
  const search = schema.parse({ filter_groups: [{ filters: [{ property, operator: 'eq', value }] }], limit: 1 });
  const page = await runSearch(db, object, search, scope);
  const [row] = page.rows;
  return row ? String(row['id']) : null;
}
