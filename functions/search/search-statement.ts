import { sql, type RawBuilder } from 'kysely';
import { MATCHES_MISSING, type ParsedSearch, type SearchFilter, type SearchSort, type SearchValue } from '../../domain/shared/search.js';
import { param } from '../db/sql-values.js';
import type { SearchPosition } from './search-cursor.js';
import type { SearchableObject, SearchProperty, SearchRow } from './searchable-object.js';

/** What one statement is asked for: the search, the page, and whether to count every match. */
export interface SearchStatementInput {
  readonly search: ParsedSearch;
  readonly limit: number;
  readonly after?: SearchPosition | undefined;
  readonly count?: boolean;
  /** The caller's scope (the object's list scope), always AND-ed in. */
  readonly scope?: RawBuilder<boolean> | undefined;
}

/** The column of the object's table a property reads. */
const columnOf = (object: SearchableObject<any>, column: string) => sql.ref(`${object.table}.${column}`);

/** The `__k<i>` column carrying sort key i of each row, as text the cursor keeps. */
export const keyColumn = (index: number) => `__k${index}`;
export const TOTAL_COLUMN = '__total';

/**
 * A value bound with the type of the column it meets, so that the comparison stays on the
 * column's index (a bigint column compared with a numeric parameter would be cast and scanned).
 */
function bind(property: SearchProperty, value: SearchValue): RawBuilder<unknown> {
  switch (property.type) {
    case 'number':
    case 'money': {
      const type = Number.isInteger(value) ? (property.sqlType ?? 'numeric') : 'numeric';
      return sql`cast(${String(value)} as ${sql.raw(type)})`;
    }
    case 'date':
      return sql`cast(${String(value)} as date)`;
    case 'datetime':
      return param.timestamptz(String(value));
    case 'uuid':
      return param.uuid(String(value));
    default:
      return sql`${String(value)}`;
  }
}

/** A LIKE pattern that matches `text` literally (backslash is LIKE's escape). */
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One filter as a condition. Only the "is not …" operators (MATCHES_MISSING) match a record without a value. */
function filterCondition(object: SearchableObject<any>, filter: SearchFilter): RawBuilder<boolean> {
  const property = object.properties[filter.property]!;
  const column = columnOf(object, property.column);
  const [value, high] = filter.values.map((one) => bind(property, one));
  const { operator } = filter;
  if (operator === 'has_property' || operator === 'not_has_property') {
    const present = property.type === 'array' ? sql`${column} <> '[]'::jsonb` : sql`${column} is not null`;
    return operator === 'has_property' ? sql<boolean>`${present}` : sql<boolean>`not (${present})`;
  }
  if (property.type === 'array') {
    const has = (tags: readonly SearchValue[]) => sql`${column} @> ${param.jsonb(tags)}`;
    // One `@>` per tag: the jsonb_path_ops GIN index answers each, and "any" is their union.
    const any = sql`(${sql.join(
      filter.values.map((tag) => has([tag])),
      sql` or `,
    )})`;
    if (operator === 'eq' || operator === 'all') return sql<boolean>`${has(filter.values)}`;
    return operator === 'in' ? sql<boolean>`${any}` : sql<boolean>`not ${any}`;
  }
  const subject = property.type === 'string' && property.caseInsensitive ? sql`lower(${column})` : column;
  const positive = (() => {
    switch (operator) {
      case 'eq':
      case 'neq':
        return sql`${subject} = ${value}`;
      case 'lt':
        return sql`${subject} < ${value}`;
      case 'lte':
        return sql`${subject} <= ${value}`;
      case 'gt':
        return sql`${subject} > ${value}`;
      case 'gte':
        return sql`${subject} >= ${value}`;
      case 'between':
        return sql`${subject} >= ${value} and ${subject} <= ${high}`;
      case 'in':
      case 'not_in':
        return sql`${subject} in (${sql.join(filter.values.map((one) => bind(property, one)))})`;
      case 'starts_with':
        return sql`lower(${column}) like ${`${literal(String(filter.values[0]))}%`}`;
      case 'contains_token':
      case 'not_contains_token':
        // \m and \M: a word's start and end, words being letters, digits and _ (the token's own characters).
        return sql`${column} ~* ${`\\m${String(filter.values[0])}\\M`}`;
      default:
        throw new Error(`operator ${operator} on a ${property.type} property`);
    }
  })();
  const matched =
    property.type === 'money' ? sql`(${columnOf(object, property.currencyColumn!)} = ${filter.currency} and ${positive})` : positive;
  return MATCHES_MISSING.has(operator) ? sql<boolean>`(${column} is null or not (${matched}))` : sql<boolean>`(${matched})`;
}

/** Every word of `query` appears (case-insensitively) in one of the object's text columns. */
function wordCondition(object: SearchableObject<any>, word: string): RawBuilder<boolean> {
  const pattern = `%${literal(word)}%`;
  return sql<boolean>`(${sql.join(
    object.textColumns.map((column) => sql`lower(${columnOf(object, column)}) like ${pattern}`),
    sql` or `,
  )})`;
}

/** What every match satisfies: live, within the caller's scope, one of the groups, every word. */
function matchConditions(object: SearchableObject<any>, input: SearchStatementInput): RawBuilder<boolean>[] {
  const { search } = input;
  const conditions: RawBuilder<boolean>[] = [sql`${columnOf(object, 'deleted_at')} is null`];
  if (input.scope) conditions.push(input.scope);
  const groups = search.groups.filter((group) => group.length > 0);
  if (groups.length > 0) {
    const each = groups.map(
      (group) =>
        sql`(${sql.join(
          group.map((filter) => filterCondition(object, filter)),
          sql` and `,
        )})`,
    );
    conditions.push(sql<boolean>`(${sql.join(each, sql` or `)})`);
  }
  for (const word of search.words) conditions.push(wordCondition(object, word));
  return conditions;
}

interface SortKey {
  readonly column: RawBuilder<unknown>;
  readonly property: SearchProperty;
  readonly descending: boolean;
}

const sortKeys = (object: SearchableObject<any>, sorts: readonly SearchSort[]): SortKey[] =>
  sorts.map((sort) => {
    const property = object.properties[sort.property]!;
    return { column: columnOf(object, property.column), property, descending: sort.direction === 'desc' };
  });

/** A key as exact text: instants to the microsecond in UTC, dates as YYYY-MM-DD, the rest as PostgreSQL prints them. */
function keyText(key: SortKey): RawBuilder<string> {
  if (key.property.type === 'datetime') return sql`to_char(${key.column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  if (key.property.type === 'date') return sql`to_char(${key.column}, 'YYYY-MM-DD')`;
  return sql`cast(${key.column} as text)`;
}

/**
 * Records without a value sort as PostgreSQL sorts nulls: after every value ascending, before
 * every value descending. So a descending sort is the backward walk of the column's index.
 */
function orderBy(keys: readonly SortKey[], id: RawBuilder<unknown>, idDescending: boolean, ref = (key: SortKey) => key.column) {
  const terms = keys.map((key) => sql`${ref(key)} ${sql.raw(key.descending ? 'desc' : 'asc')}`);
  return sql.join([...terms, sql`${id} ${sql.raw(idDescending ? 'desc' : 'asc')}`]);
}

/**
 * After the cursor's row in that order. With one direction and no nullable key it is a row
 * comparison the (key…, id) index answers as a range; otherwise the expansion
 * k1 after v1, or k1 = v1 and k2 after v2, …, nulls being the largest value.
 */
function afterCondition(
  keys: readonly SortKey[],
  id: RawBuilder<unknown>,
  idDescending: boolean,
  after: SearchPosition,
): RawBuilder<boolean> {
  const idValue = param.uuid(after.id);
  const uniform = keys.every((key) => !key.property.nullable && key.descending === idDescending);
  if (uniform) {
    const values = keys.map((key, index) => bindKey(key, after.keys[index]!));
    return sql<boolean>`(${sql.join([...keys.map((key) => key.column), id])}) ${sql.raw(idDescending ? '<' : '>')} (${sql.join([...values, idValue])})`;
  }
  // Nulls are the largest value: after a null ascending come only nulls, after one descending every value.
  const beyond = (key: SortKey, value: string | null): RawBuilder<boolean> => {
    if (value === null) return key.descending ? sql`${key.column} is not null` : sql`false`;
    const strictly = sql<boolean>`${key.column} ${sql.raw(key.descending ? '<' : '>')} ${bindKey(key, value)}`;
    return key.property.nullable && !key.descending ? sql`(${strictly} or ${key.column} is null)` : strictly;
  };
  const same = (key: SortKey, value: string | null): RawBuilder<boolean> =>
    value === null ? sql`${key.column} is null` : sql`${key.column} = ${bindKey(key, value)}`;
  const alternatives: RawBuilder<boolean>[] = [];
  for (let index = 0; index <= keys.length; index++) {
    const equal = keys.slice(0, index).map((key, at) => same(key, after.keys[at]!));
    const last: RawBuilder<boolean> =
      index < keys.length ? beyond(keys[index]!, after.keys[index]!) : sql<boolean>`${id} ${sql.raw(idDescending ? '<' : '>')} ${idValue}`;
    alternatives.push(sql<boolean>`(${sql.join([...equal, last], sql` and `)})`);
  }
  return sql<boolean>`(${sql.join(alternatives, sql` or `)})`;
}

/** A cursor key (text from keyText) bound as its column's type. */
function bindKey(key: SortKey, value: string): RawBuilder<unknown> {
  const type = key.property.type;
  if (type === 'number' || type === 'money') return sql`cast(${value} as ${sql.raw(key.property.sqlType ?? 'numeric')})`;
  return bind(key.property, value);
}

/**
 * The search as ONE parameterised statement (one Data API call): the page of matches in the
 * requested order (id the last tiebreak), one row more than the limit to tell whether a next
 * page exists, each row with its sort keys as text for the cursor; with `count`, the number of
 * every match (ignoring the cursor) rides along as a second expression of the same statement.
 */
export function searchStatement(object: SearchableObject<any>, input: SearchStatementInput): RawBuilder<SearchRow> {
  const { sorts } = input.search;
  const keys = sortKeys(object, sorts);
  const id = columnOf(object, 'id');
  const idDescending = sorts.length > 0 && sorts[sorts.length - 1]!.direction === 'desc';
  const conditions = matchConditions(object, input);
  const pageConditions = input.after ? [...conditions, afterCondition(keys, id, idDescending, input.after)] : conditions;
  const selected = [
    sql`${sql.table(object.table)}.*`,
    ...(object.select ?? []),
    ...keys.map((key, index) => sql`${keyText(key)} as ${sql.ref(keyColumn(index))}`),
  ];
  const page = sql<SearchRow>`select ${sql.join(selected)}
    from ${sql.table(object.table)}
    where ${sql.join(pageConditions, sql` and `)}
    order by ${orderBy(keys, id, idDescending)}
    limit ${sql.lit(input.limit + 1)}`;
  if (!input.count) return page;
  // The count row always exists; the page joins it (none when the page is empty, then id is null).
  const pageColumn = (key: SortKey) => sql.ref(`page.${(key.property as SearchProperty).column}`);
  return sql<SearchRow>`select page.*, total.n as ${sql.ref(TOTAL_COLUMN)}
    from (select count(*) as n from ${sql.table(object.table)} where ${sql.join(conditions, sql` and `)}) total
    left join (${page}) page on true
    order by ${orderBy(keys, sql.ref('page.id'), idDescending, pageColumn)}`;
}
