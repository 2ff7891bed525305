import { MATCHES_MISSING, type ParsedSearch, type SearchFilter, type SearchValue } from '../../domain/shared/search.js';
import type { SearchableObject, SearchProperty } from '../../functions/search/searchable-object.js';

/** A record as the evaluator reads it: its column values (null when missing; tags as arrays), by column name. */
export type EvaluatedRecord = Readonly<Record<string, SearchValue | readonly string[] | null>> & { readonly id: string };

type Definition = Pick<SearchableObject<any>, 'properties' | 'textColumns'>;

const compare = (a: SearchValue, b: SearchValue): number => (a < b ? -1 : a > b ? 1 : 0);

/** The words of a text, as PostgreSQL's `\m…\M` sees them: runs of letters, digits and _. */
const tokens = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}_]+/u);

/**
 * The search grammar evaluated in memory, written from its definition (docs/search.md), not
 * from the SQL: the differential test holds the database's answer to it.
 */
function matches(definition: Definition, filter: SearchFilter, record: EvaluatedRecord): boolean {
  const property = definition.properties[filter.property]!;
  const raw = record[property.column] ?? null;
  const { operator, values } = filter;
  if (property.type === 'array') {
    const tags = (raw ?? []) as readonly string[];
    switch (operator) {
      case 'eq':
      case 'all':
        return values.every((tag) => tags.includes(String(tag)));
      case 'in':
        return values.some((tag) => tags.includes(String(tag)));
      case 'not_in':
        return !values.some((tag) => tags.includes(String(tag)));
      case 'has_property':
        return tags.length > 0;
      case 'not_has_property':
        return tags.length === 0;
      default:
        throw new Error(`${operator} on tags`);
    }
  }
  if (operator === 'has_property') return raw !== null;
  if (operator === 'not_has_property') return raw === null;
  if (raw === null) return MATCHES_MISSING.has(operator);
  const value = property.type === 'string' && property.caseInsensitive ? String(raw).toLowerCase() : (raw as SearchValue);
  const currencyMatches = property.type !== 'money' || record[property.currencyColumn!] === filter.currency;
  const positive = (() => {
    const [first, high] = values as [SearchValue, SearchValue];
    switch (operator) {
      case 'eq':
      case 'neq':
        return compare(value, first) === 0;
      case 'lt':
        return compare(value, first) < 0;
      case 'lte':
        return compare(value, first) <= 0;
      case 'gt':
        return compare(value, first) > 0;
      case 'gte':
        return compare(value, first) >= 0;
      case 'between':
        return compare(value, first) >= 0 && compare(value, high) <= 0;
      case 'in':
      case 'not_in':
        return values.some((one) => compare(value, one) === 0);
      case 'starts_with':
        return String(raw).toLowerCase().startsWith(String(first));
      case 'contains_token':
      case 'not_contains_token':
        return tokens(String(raw)).includes(String(first));
      default:
        throw new Error(`${operator} on ${property.type}`);
    }
  })();
  return MATCHES_MISSING.has(operator) ? !(currencyMatches && positive) : currencyMatches && positive;
}

const sortValue = (property: SearchProperty, record: EvaluatedRecord) => record[property.column] as SearchValue | null;

/** The ids of the matching records, in the search's order (a missing value larger than any, id the final tiebreak). */
export function evaluateSearch(definition: Definition, search: ParsedSearch, records: readonly EvaluatedRecord[]): string[] {
  const groups = search.groups.filter((group) => group.length > 0);
  const matched = records.filter(
    (record) =>
      (groups.length === 0 || groups.some((group) => group.every((filter) => matches(definition, filter, record)))) &&
      search.words.every((word) =>
        definition.textColumns.some((column) => {
          const text = record[column];
          return typeof text === 'string' && text.toLowerCase().includes(word);
        }),
      ),
  );
  const idDescending = search.sorts.length > 0 && search.sorts[search.sorts.length - 1]!.direction === 'desc';
  return matched
    .sort((a, b) => {
      for (const sort of search.sorts) {
        const property = definition.properties[sort.property]!;
        const [x, y] = [sortValue(property, a), sortValue(property, b)];
        // A missing value is larger than any value: last ascending, first descending.
        const natural = x === null || y === null ? (x === y ? 0 : x === null ? 1 : -1) : compare(x, y);
        const order = natural * (sort.direction === 'desc' ? -1 : 1);
        if (order !== 0) return order;
      }
      return compare(a.id, b.id) * (idDescending ? -1 : 1);
    })
    .map((record) => record.id);
}
