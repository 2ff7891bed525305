import { SIZE_BANDS } from '../../domain/company/company.js';
import type { SearchableObject } from '../search/searchable-object.js';
import { readVisibility } from './companies.routes.js';
import { companyScope } from './company-repository.js';
import { companyBody } from './company-responses.js';
import { CompanyRepresentation } from './company.schemas.js';
import { COMPANIES, rowToCompany, type CompanyRow } from './company-table.js';

/** Companies as search (and later batch, import and export) see them. `domain` is the primary domain. */
export const COMPANY_SEARCH: SearchableObject = {
  name: 'companies',
  table: COMPANIES,
  properties: {
    id: { type: 'uuid', column: 'id' },
    name: { type: 'string', column: 'name' },
    domain: { type: 'string', column: 'domain', nullable: true, caseInsensitive: true },
    industry: { type: 'string', column: 'industry', nullable: true },
    size_band: { type: 'enum', column: 'size_band', values: SIZE_BANDS, nullable: true },
    country: { type: 'string', column: 'country', nullable: true },
    phone: { type: 'string', column: 'phone', nullable: true },
    website: { type: 'string', column: 'website', nullable: true },
    owner_id: { type: 'uuid', column: 'owner_id', nullable: true },
    parent_company_id: { type: 'uuid', column: 'parent_company_id', nullable: true },
    external_id: { type: 'string', column: 'external_id', nullable: true },
    tags: { type: 'array', column: 'tags' },
    version: { type: 'number', column: 'version', sqlType: 'integer' },
    created_at: { type: 'datetime', column: 'created_at' },
    updated_at: { type: 'datetime', column: 'updated_at' },
  },
  textColumns: ['name', 'domain'],
  defaultSorts: [{ property: 'created_at', direction: 'desc' }],
  representation: CompanyRepresentation,
  // The list route's scope: a sales rep sees the companies they own and those of their customers.
  scope: (scope) => companyScope(readVisibility(scope)),
  represent: (rows) => rows.map((row) => companyBody(rowToCompany(row as CompanyRow))),
};
