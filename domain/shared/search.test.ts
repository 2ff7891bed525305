import { describe, expect, it } from 'vitest';
import { narrowSearch, type ParsedSearch, type SearchFilter } from './search.js';

const filter = (property: string, value: string): SearchFilter => ({ property, operator: 'eq', values: [value] });
const bound: SearchFilter = { property: 'created_at', operator: 'lte', values: ['2026-03-01T09:00:00.000Z'] };
const search = (groups: SearchFilter[][]): ParsedSearch => ({
  groups,
  words: ['ada'],
  sorts: [{ property: 'created_at', direction: 'asc' }],
});

describe('narrowSearch: one more filter every match must satisfy', () => {
  it('given no group, when narrowed, then the filter is the only group', () => {
    expect(narrowSearch(search([]), bound)).toEqual(search([[bound]]));
  });

  it('given groups (OR-ed), when narrowed, then each group gets the filter (A or B becomes A and f or B and f)', () => {
    const [a, b, c] = [filter('status', 'lead'), filter('tier', 'pro'), filter('source', 'website')];
    expect(narrowSearch(search([[a, b], [c]]), bound)).toEqual(
      search([
        [a, b, bound],
        [c, bound],
      ]),
    );
  });

  it('given an empty group (which the statement ignores), when narrowed, then it stays ignored rather than matching everything', () => {
    const a = filter('status', 'lead');
    expect(narrowSearch(search([[a], []]), bound)).toEqual(search([[a, bound]]));
    expect(narrowSearch(search([[]]), bound)).toEqual(search([[bound]]));
  });
});
