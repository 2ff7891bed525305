import * as z from 'zod';
import {
  ARITY,
  OPERATORS,
  OPERATORS_BY_TYPE,
  SEARCH_LIMITS,
  TOKEN_PATTERN,
  queryWords,
  type Operator,
  type ParsedSearch,
  type SearchFilter,
  type SearchSort,
  type SearchValue,
} from '../../domain/shared/search.js';
import { parseTags } from '../../domain/shared/tags.js';
import { parseTimestamp } from '../../domain/shared/timestamp.js';
import { cleanText, pageCursor } from '../http/clean-input.js';
import { readCursorKeys, sortSignature, type SearchPosition } from './search-cursor.js';
import { sortableProperties, type SearchableObject, type SearchProperty } from './searchable-object.js';

/** A parsed search request: the grammar, the page, and what to answer. */
export interface SearchRequest {
  readonly search: ParsedSearch;
  /** Fields of the representation to answer (id always comes too); undefined: all of it. */
  readonly properties: readonly string[] | undefined;
  readonly limit: number;
  readonly after: SearchPosition | undefined;
  readonly count: boolean;
}

const Money = z.strictObject({
  amount_minor: z.int({ error: 'must be a whole number of minor units' }),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, e.g. EUR'),
});
const Scalar = z.union([cleanText(200), z.number({ error: 'must be a string or a number' })], {
  error: 'must be a string or a number',
});
const Value = z.union([cleanText(200), z.number(), Money], { error: 'must be a string, a number or a money object' });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Parsed = { ok: true; value: SearchValue; currency?: string } | { ok: false; message: string };

const EXAMPLES: Record<SearchProperty['type'], string> = {
  string: 'a string',
  number: 'a number',
  date: 'a date, e.g. 2026-12-31',
  datetime: 'an ISO-8601 date-time, e.g. 2026-12-31T10:00:00Z',
  enum: 'one of its values',
  uuid: 'a UUID',
  array: 'a tag',
  money: 'a money object {"amount_minor": 1000, "currency": "EUR"}',
};

/** Reads one filter value as the property's type says, normalised as the column stores it. */
function readValue(property: SearchProperty, operator: Operator, raw: unknown): Parsed {
  const fail = (message: string): Parsed => ({ ok: false, message });
  const expected = `must be ${EXAMPLES[property.type]}`;
  if (property.type === 'money') {
    const money = Money.safeParse(raw);
    return money.success ? { ok: true, value: money.data.amount_minor, currency: money.data.currency } : fail(expected);
  }
  if (property.type === 'number') return typeof raw === 'number' && Number.isFinite(raw) ? { ok: true, value: raw } : fail(expected);
  if (typeof raw !== 'string') return fail(expected);
  switch (property.type) {
    case 'string':
      if (operator === 'contains_token' || operator === 'not_contains_token') {
        if (!TOKEN_PATTERN.test(raw)) return fail('must be one word: letters, digits or _ (a token, matched as a whole word)');
        return { ok: true, value: raw.toLowerCase() };
      }
      if (raw.length === 0) return fail('must not be empty');
      return { ok: true, value: property.caseInsensitive || operator === 'starts_with' ? raw.toLowerCase() : raw };
    case 'date': {
      const parsed = DATE.test(raw) ? parseTimestamp(raw, { allowDate: true }) : null;
      return parsed?.ok ? { ok: true, value: raw } : fail(parsed && !parsed.ok ? parsed.error : expected);
    }
    case 'datetime': {
      const parsed = parseTimestamp(raw, { allowDate: true });
      return parsed.ok ? { ok: true, value: parsed.value } : fail(parsed.error);
    }
    case 'enum':
      return property.values?.includes(raw) ? { ok: true, value: raw } : fail(`must be one of ${property.values?.join(', ')}`);
    case 'uuid':
      return UUID.test(raw) ? { ok: true, value: raw.toLowerCase() } : fail(expected);
    case 'array': {
      const tags = parseTags([raw]);
      return tags.ok ? { ok: true, value: tags.value[0]! } : fail(tags.error.replace('tag #1', 'the tag'));
    }
  }
}

/**
 * The body of `POST /{object}/search` for one object: the structure (zod), then the meaning —
 * each property's operators and value types, the limits — with every problem named by its exact
 * path (`filter_groups[1].filters[3].operator`), and turned into a ParsedSearch.
 */
export function searchRequestSchema(object: SearchableObject<any>) {
  const propertyNames = Object.keys(object.properties) as [string, ...string[]];
  const sortable = sortableProperties(object) as [string, ...string[]];
  const fields = Object.keys(object.representation.shape) as [string, ...string[]];
  const Filter = z.strictObject({
    property: z.enum(propertyNames, { error: `must be a property of ${object.name}: ${propertyNames.join(', ')}` }),
    operator: z.enum(OPERATORS, { error: `must be one of ${OPERATORS.join(', ')}` }),
    value: Value.optional(),
    values: z
      .array(Scalar)
      .min(1, 'give at least one value')
      .max(SEARCH_LIMITS.values, `at most ${SEARCH_LIMITS.values} values`)
      .optional(),
    high_value: Value.optional(),
  });
  const Group = z.strictObject({
    filters: z
      .array(Filter)
      .min(1, 'a group needs at least one filter')
      .max(SEARCH_LIMITS.filtersPerGroup, `at most ${SEARCH_LIMITS.filtersPerGroup} filters in a group`),
  });
  const Sort = z.strictObject({
    property: z.enum(sortable, { error: `must be a sortable property of ${object.name}: ${sortable.join(', ')}` }),
    direction: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).default('asc'),
  });
  return z
    .strictObject({
      filter_groups: z
        .array(Group)
        .max(SEARCH_LIMITS.groups, `at most ${SEARCH_LIMITS.groups} groups (they are OR-ed; filters in a group are AND-ed)`)
        .optional(),
      query: cleanText(200)
        .optional()
        .meta({ description: `free text: every word must appear in ${object.textColumns.join(' or ')}` }),
      sorts: z.array(Sort).max(SEARCH_LIMITS.sorts, `at most ${SEARCH_LIMITS.sorts} sorts (id is always the last tiebreak)`).optional(),
      properties: z
        .array(z.enum(fields, { error: `must be a field of the ${object.name} representation: ${fields.join(', ')}` }))
        .min(1, 'name at least one field, or leave properties out for the whole representation')
        .optional(),
      limit: z
        .int({ error: 'must be a whole number' })
        .min(1, 'must be at least 1')
        .max(SEARCH_LIMITS.pageSize, `must be at most ${SEARCH_LIMITS.pageSize}`)
        .default(20),
      after: pageCursor(
        z.strictObject({
          s: z.string().max(300),
          k: z.array(z.string().max(1000).nullable()).max(SEARCH_LIMITS.sorts + 1),
          i: z.uuid(),
        }),
      )
        .optional()
        .meta({ description: 'next_cursor of the previous page, with the same sorts' }),
      count: z.boolean({ error: 'must be true or false' }).default(false),
    })
    .transform((body, context): SearchRequest => {
      const issue = (path: (string | number)[], message: string) => context.addIssue({ code: 'custom', path, message });
      const groups: SearchFilter[][] = [];
      let total = 0;
      for (const [g, group] of (body.filter_groups ?? []).entries()) {
        const filters: SearchFilter[] = [];
        for (const [f, filter] of group.filters.entries()) {
          total++;
          const at = ['filter_groups', g, 'filters', f];
          const parsed = readFilter(object, filter, (field, message) => issue([...at, ...field], message));
          if (parsed) filters.push(parsed);
        }
        groups.push(filters);
      }
      if (total > SEARCH_LIMITS.filters)
        issue(['filter_groups'], `at most ${SEARCH_LIMITS.filters} filters in all, this search has ${total}`);
      const words = queryWords(body.query);
      if (words.length > SEARCH_LIMITS.queryWords) issue(['query'], `at most ${SEARCH_LIMITS.queryWords} words`);
      const sorts: SearchSort[] = body.sorts && body.sorts.length > 0 ? body.sorts : [...object.defaultSorts];
      sorts.forEach((sort, index) => {
        if (sorts.findIndex((other) => other.property === sort.property) !== index)
          issue(['sorts', index, 'property'], 'each property at most once');
      });
      let after: SearchPosition | undefined;
      if (body.after) {
        const signature = sortSignature(sorts);
        if (body.after.s !== signature) {
          issue(['after'], `it was issued for sorts ${body.after.s}; repeat the same sorts (${signature} now) to continue`);
        } else {
          const keys = readCursorKeys(object, sorts, body.after.k);
          if (keys) after = { keys, id: body.after.i };
          else issue(['after'], 'pass next_cursor from the previous page unchanged');
        }
      }
      return {
        search: { groups, words, sorts },
        properties: body.properties,
        limit: body.limit,
        after,
        count: body.count,
      };
    });
}

type FilterBody = { property: string; operator: Operator; value?: unknown; values?: unknown[]; high_value?: unknown };

/** One filter's meaning: the operator fits the property's type, the value fields fit the operator, the values read. */
function readFilter(
  object: SearchableObject<any>,
  filter: FilterBody,
  issue: (field: (string | number)[], message: string) => void,
): SearchFilter | null {
  const property = object.properties[filter.property]!;
  const allowed = OPERATORS_BY_TYPE[property.type];
  if (!allowed.includes(filter.operator)) {
    const article = /^[aeiou]/.test(property.type) ? 'an' : 'a';
    issue(['operator'], `${filter.property} is ${article} ${property.type} property; its operators are ${allowed.join(', ')}`);
    return null;
  }
  const arity = ARITY[filter.operator];
  const wanted: readonly string[] = { one: ['value'], two: ['value', 'high_value'], list: ['values'], none: [] }[arity];
  let problems = 0;
  for (const field of ['value', 'high_value', 'values'] as const) {
    const present = filter[field] !== undefined;
    if (present && !wanted.includes(field)) {
      issue([field], `${filter.operator} takes ${wanted.length === 0 ? 'no value' : wanted.join(' and ')}, not ${field}`);
      problems++;
    } else if (!present && wanted.includes(field)) {
      issue([field], `${filter.operator} needs ${field} (${EXAMPLES[property.type]})`);
      problems++;
    }
  }
  if (problems > 0) return null;
  const raws: [(string | number)[], unknown][] =
    arity === 'list'
      ? (filter.values ?? []).map((value, index) => [['values', index], value])
      : wanted.map((field) => [[field], filter[field as 'value' | 'high_value']]);
  const values: SearchValue[] = [];
  const currencies = new Set<string>();
  for (const [path, raw] of raws) {
    const parsed = readValue(property, filter.operator, raw);
    if (!parsed.ok) {
      issue(path, parsed.message);
      problems++;
    } else {
      values.push(parsed.value);
      if (parsed.currency) currencies.add(parsed.currency);
    }
  }
  if (currencies.size > 1) {
    issue(['high_value', 'currency'], 'value and high_value must be in the same currency (amounts compare within one currency)');
    problems++;
  }
  if (problems > 0) return null;
  const [currency] = currencies;
  return { property: filter.property, operator: filter.operator, values, ...(currency && { currency }) };
}
