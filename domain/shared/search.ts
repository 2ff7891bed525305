/**
 * The search grammar, shared by every searchable object: property types, the operators each type
 * accepts, and a parsed search (filter groups, free text, sorts). Pure data: the database compiles
 * it to one statement (functions/search) and the tests evaluate it in memory, so both read the
 * same definition of what a filter means.
 */

export const PROPERTY_TYPES = ['string', 'number', 'date', 'datetime', 'enum', 'uuid', 'array', 'money'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

export const OPERATORS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'between',
  'in',
  'not_in',
  'all',
  'has_property',
  'not_has_property',
  'contains_token',
  'not_contains_token',
  'starts_with',
] as const;
export type Operator = (typeof OPERATORS)[number];

const PRESENCE = ['has_property', 'not_has_property'] as const;
const ORDERED = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'between', 'in', 'not_in', ...PRESENCE] as const;

/** Which operators a property of each type accepts (array: eq = has, in = has any, all = has all, not_in = has none). */
export const OPERATORS_BY_TYPE: Readonly<Record<PropertyType, readonly Operator[]>> = {
  string: ['eq', 'neq', 'in', 'not_in', 'starts_with', 'contains_token', 'not_contains_token', ...PRESENCE],
  number: ORDERED,
  date: ORDERED,
  datetime: ORDERED,
  enum: ['eq', 'neq', 'in', 'not_in', ...PRESENCE],
  uuid: ['eq', 'neq', 'in', 'not_in', ...PRESENCE],
  array: ['eq', 'in', 'all', 'not_in', ...PRESENCE],
  money: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'between', ...PRESENCE],
};

/** Which value fields an operator reads: one value, two (value and high_value), a list, or none. */
export type Arity = 'one' | 'two' | 'list' | 'none';
export const ARITY: Readonly<Record<Operator, Arity>> = {
  eq: 'one',
  neq: 'one',
  lt: 'one',
  lte: 'one',
  gt: 'one',
  gte: 'one',
  between: 'two',
  in: 'list',
  not_in: 'list',
  all: 'list',
  has_property: 'none',
  not_has_property: 'none',
  contains_token: 'one',
  not_contains_token: 'one',
  starts_with: 'one',
};

/** Limits of one search (HubSpot's, except that the keyset cursor has no result cap). */
export const SEARCH_LIMITS = {
  groups: 5,
  filtersPerGroup: 6,
  filters: 18,
  sorts: 3,
  values: 100,
  pageSize: 100,
  queryWords: 10,
} as const;

/** A comparable value as the database holds it: text, a number, an ISO date or instant, a uuid, or a tag. */
export type SearchValue = string | number;

/**
 * One parsed filter. Values are normalised by type (uuids and case-insensitive text lower-cased,
 * instants as ISO-8601 UTC, tags normalised like the tag set); `currency` is the money filter's
 * currency (money compares amounts within one currency only).
 */
export interface SearchFilter {
  readonly property: string;
  readonly operator: Operator;
  readonly values: readonly SearchValue[];
  readonly currency?: string;
}

export interface SearchSort {
  readonly property: string;
  readonly direction: 'asc' | 'desc';
}

/** A parsed search: groups are OR-ed, filters in a group AND-ed; every word of `words` must match a text field. */
export interface ParsedSearch {
  readonly groups: readonly (readonly SearchFilter[])[];
  readonly words: readonly string[];
  readonly sorts: readonly SearchSort[];
}

/** The operators that match a record without a value (null, or an empty tag set): "is not …". */
export const MATCHES_MISSING: ReadonlySet<Operator> = new Set(['neq', 'not_in', 'not_contains_token', 'not_has_property']);

/** A token of contains_token: letters, digits and underscore (the word characters of PostgreSQL's `\m…\M`). */
export const TOKEN_PATTERN = /^[\p{L}\p{N}_]{1,100}$/u;

/** The words of a free-text `query`: split on white space, lower-cased, at most SEARCH_LIMITS.queryWords. */
export function queryWords(query: string | undefined): string[] {
  return (query ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word.length > 0);
}

/**
 * The search with one more filter every match must also satisfy: AND-ed into each group (groups
 * are OR-ed, so each needs it), or the only group when there is none. Empty groups match nothing
 * extra and are dropped, as the statement drops them.
 */
export function narrowSearch(search: ParsedSearch, filter: SearchFilter): ParsedSearch {
  const groups = search.groups.filter((group) => group.length > 0);
  return { ...search, groups: groups.length === 0 ? [[filter]] : groups.map((group) => [...group, filter]) };
}
