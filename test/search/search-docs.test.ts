import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CUSTOMER_SEARCH } from '../../functions/customers/customer-search.js';
import { COMPANY_SEARCH } from '../../functions/companies/company-search.js';
import { DEAL_SEARCH } from '../../functions/deals/deal-search.js';
import { INTERACTION_SEARCH } from '../../functions/interactions/interaction-search.js';
import { routes } from '../../functions/routes.js';
import { searchPropertyTable } from '../support/search-docs.js';

const OBJECTS = [CUSTOMER_SEARCH, COMPANY_SEARCH, DEAL_SEARCH, INTERACTION_SEARCH];

describe('docs/search.md', () => {
  it.each(OBJECTS.map((object) => [object.name, object] as const))('lists exactly the declared properties of %s', (_name, object) => {
    expect(readFileSync('docs/search.md', 'utf8')).toContain(searchPropertyTable(object));
  });

  it('covers every search route of the route table', () => {
    // An object's own search is /{object}/search (a duplicate search, /customers/duplicates/search, is another grammar).
    const searchPaths = routes.filter((route) => /^\/[a-z_]+\/search$/.test(route.path)).map((route) => route.path);
    expect(searchPaths.sort()).toEqual(OBJECTS.map((object) => `/${object.name}/search`).sort());
  });
});
