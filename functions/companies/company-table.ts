import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Company, CompanyField, Industry, SizeBand } from '../../domain/company/company.js';
import { COMPANY_KIND } from '../../domain/company/company-change.js';
import type { CountryCode } from '../../domain/shared/country.js';
import type { DomainName } from '../../domain/shared/domain-name.js';
import type { Phone } from '../../domain/shared/phone.js';
import type { Tag } from '../../domain/shared/tags.js';
import type { Jsonb, NullableTimestamp, Timestamp } from '../db/column-types.js';
import { lastInteractionOf, type LastInteractionColumns } from '../db/last-interaction-columns.js';
import { fromJsonb, param, toIsoTimestamp, toNullableIsoTimestamp } from '../db/sql-values.js';
import type { AggregateTable } from '../kit/aggregate-table.js';
import { notAnActiveSalesRep } from '../sales-reps/sales-rep-directory.js';
import { jsonbSetColumn, plainColumn, timestampColumn, uuidColumn } from '../kit/column-codecs.js';

export interface CompaniesTable extends LastInteractionColumns {
  id: string;
  name: string;
  domain: string | null;
  domain_aliases: Jsonb<string[]>;
  industry: string | null;
  size_band: string | null;
  country: string | null;
  phone: string | null;
  website: string | null;
  owner_id: string | null;
  tags: Jsonb<string[]>;
  parent_company_id: string | null;
  external_id: string | null;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

/** Every domain (primary and alias) of every live company, kept by a trigger on the companies table. */
export interface CompanyDomainsTable {
  domain: string;
  company_id: string;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_companies: CompaniesTable;
    customer_mgmt_company_domains: CompanyDomainsTable;
  }
}

export const COMPANIES = 'customer_mgmt_companies' as const;
export const COMPANY_DOMAINS = 'customer_mgmt_company_domains' as const;

export type CompanyRow = Selectable<CompaniesTable>;

/** The one place that turns a companies row into the aggregate. */
export function rowToCompany(row: CompanyRow): Company {
  return {
    id: row.id,
    name: row.name,
    domain: row.domain as DomainName | null,
    domainAliases: fromJsonb(row.domain_aliases) as DomainName[],
    industry: row.industry as Industry | null,
    sizeBand: row.size_band as SizeBand | null,
    country: row.country as CountryCode | null,
    phone: row.phone as Phone | null,
    website: row.website,
    ownerId: row.owner_id,
    tags: fromJsonb(row.tags) as Tag[],
    parentCompanyId: row.parent_company_id,
    externalId: row.external_id,
    version: Number(row.version),
    createdAt: toIsoTimestamp(row.created_at),
    updatedAt: toIsoTimestamp(row.updated_at),
    deletedAt: toNullableIsoTimestamp(row.deleted_at),
    lastInteraction: lastInteractionOf(row),
  };
}

/** Column values for inserting a new company, each bound with the type PostgreSQL needs. */
export function companyToInsert(company: Company) {
  return {
    id: param.uuid(company.id),
    name: company.name,
    domain: company.domain,
    domain_aliases: param.jsonb(company.domainAliases),
    industry: company.industry,
    size_band: company.sizeBand,
    country: company.country,
    phone: company.phone,
    website: company.website,
    owner_id: param.nullableUuid(company.ownerId),
    tags: param.jsonb(company.tags),
    parent_company_id: param.nullableUuid(company.parentCompanyId),
    external_id: company.externalId,
    version: company.version,
    created_at: param.timestamptz(company.createdAt),
    updated_at: param.timestamptz(company.updatedAt),
    deleted_at: param.nullableTimestamptz(company.deletedAt),
  };
}

/** Whether a live company other than `exceptId` holds one of the domains (jsonb array of text) already. */
function domainsTaken(domains: RawBuilder<unknown>, exceptId: RawBuilder<unknown> | null): RawBuilder<boolean> {
  const except = exceptId ? sql`and taken.company_id <> ${exceptId}` : sql``;
  return sql<boolean>`exists (select 1 from ${sql.table(COMPANY_DOMAINS)} taken
    where taken.domain in (select jsonb_array_elements_text(${domains})) ${except})`;
}

/** Names of the rules the database enforces on companies (see the companies migration), by constraint. */
export const COMPANY_RULES = {
  customer_mgmt_company_domains_unique: 'domain',
  idx_companies_external_id: 'external_id',
  customer_mgmt_companies_parent_live: 'parent_live',
  customer_mgmt_companies_no_cycle: 'hierarchy_cycle',
  customer_mgmt_companies_depth: 'hierarchy_depth',
  customer_mgmt_companies_no_contacts: 'contacts',
  customer_mgmt_companies_no_subsidiaries: 'subsidiaries',
  customer_mgmt_companies_no_open_deals: 'open_deals',
} as const;
export type CompanyRule = (typeof COMPANY_RULES)[keyof typeof COMPANY_RULES];

/** Everything the write kit needs to store companies with their event stream. */
export const COMPANY_TABLE: AggregateTable<Company, CompanyField, CompanyRow> = {
  kind: COMPANY_KIND,
  table: COMPANIES,
  columns: {
    name: plainColumn('name'),
    domain: plainColumn('domain'),
    domainAliases: jsonbSetColumn('domain_aliases'),
    industry: plainColumn('industry'),
    sizeBand: plainColumn('size_band'),
    country: plainColumn('country'),
    phone: plainColumn('phone'),
    website: plainColumn('website'),
    ownerId: uuidColumn('owner_id'),
    tags: jsonbSetColumn('tags'),
    parentCompanyId: uuidColumn('parent_company_id'),
    externalId: plainColumn('external_id'),
    deletedAt: timestampColumn('deleted_at'),
  },
  rules: COMPANY_RULES,
  mergedIntoColumn: 'merged_into',
  // Companies are owned only by sales reps Identity has told us are active; checked inside the write.
  referenceChecks: { sales_rep: { field: 'ownerId', missing: notAnActiveSalesRep } },
  uniqueChecks: {
    domain: { field: 'domain', taken: (value, exceptId) => domainsTaken(sql`jsonb_build_array(cast(${value} as text))`, exceptId) },
    domain_aliases: { field: 'domainAliases', taken: (value, exceptId) => domainsTaken(value, exceptId) },
    external_id: {
      field: 'externalId',
      taken: (value, exceptId) =>
        // A merged loser's external id is as taken as a live one (docs/merge.md), as idx_companies_external_id says.
        sql<boolean>`exists (select 1 from ${sql.table(COMPANIES)} other where (other.deleted_at is null or other.merged_into is not null)
          and other.external_id = ${value} ${exceptId ? sql`and other.id <> ${exceptId}` : sql``})`,
    },
  },
  // The domain's invariant on the row as a change would leave it: no alias repeats the primary
  // domain, and a company is not its own parent (the trigger checks deeper cycles).
  rowRules: (after, changed) => [
    ...(changed.includes('domain') || changed.includes('domainAliases')
      ? [
          sql<boolean>`(cast(${after('domain')} as text) is null
            or not (${after('domainAliases')} @> jsonb_build_array(cast(${after('domain')} as text))))`,
        ]
      : []),
    ...(changed.includes('parentCompanyId') ? [sql<boolean>`${after('parentCompanyId')} is distinct from id`] : []),
  ],
  rowToEntity: rowToCompany,
  entityToInsert: companyToInsert,
};
