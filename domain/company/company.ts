import type { CountryCode } from '../shared/country.js';
import type { DomainName } from '../shared/domain-name.js';
import type { JsonObject } from '../shared/json.js';
import type { Phone } from '../shared/phone.js';
import type { Tag } from '../shared/tags.js';
import type { LastInteraction } from '../shared/last-interaction.js';
import type { Timestamp } from '../shared/timestamp.js';

export const SIZE_BANDS = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001+'] as const;
export type SizeBand = (typeof SIZE_BANDS)[number];

/** An industry as a slug: `software`, `financial-services`. */
export type Industry = string & { readonly __brand: 'Industry' };

/** The Company aggregate: a B2B organisation, its internet domains, owner and place in a group. */
export interface Company {
  readonly id: string;
  readonly name: string;
  /** The primary domain; subsidiaries that share the group's domain leave it empty. */
  readonly domain: DomainName | null;
  readonly domainAliases: readonly DomainName[];
  readonly industry: Industry | null;
  readonly sizeBand: SizeBand | null;
  readonly country: CountryCode | null;
  readonly phone: Phone | null;
  readonly website: string | null;
  /** The sales rep who owns the account. */
  readonly ownerId: string | null;
  readonly tags: readonly Tag[];
  readonly parentCompanyId: string | null;
  /** The company's id in another system it is synced from. */
  readonly externalId: string | null;
  readonly version: number;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
  readonly deletedAt: Timestamp | null;
  /** Kept by the database when interactions link the company; no change sets it. */
  readonly lastInteraction: LastInteraction;
}

/** The fields a change may set; id, version and the stamps are managed by the write kit. */
export type CompanyPatch = Partial<Omit<Company, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'lastInteraction'>>;
export type CompanyField = keyof CompanyPatch;

/** The public (API and event) name of every field, in the order records are shown. */
export const COMPANY_PUBLIC_NAMES = {
  id: 'id',
  name: 'name',
  domain: 'domain',
  domainAliases: 'domain_aliases',
  industry: 'industry',
  sizeBand: 'size_band',
  country: 'country',
  phone: 'phone',
  website: 'website',
  ownerId: 'owner_id',
  tags: 'tags',
  parentCompanyId: 'parent_company_id',
  externalId: 'external_id',
  version: 'version',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  deletedAt: 'deleted_at',
} as const satisfies Record<Exclude<keyof Company, 'lastInteraction'>, string>;

/** The company as other contexts see it in event payloads. */
export function toCompanyRecord(company: Company): JsonObject {
  const record: Record<string, JsonObject[string]> = {};
  for (const [field, publicName] of Object.entries(COMPANY_PUBLIC_NAMES)) {
    record[publicName] = company[field as keyof typeof COMPANY_PUBLIC_NAMES];
  }
  return record;
}

/** Every domain the company answers to: the primary one first, then its aliases. */
export function domainsOf(company: Pick<Company, 'domain' | 'domainAliases'>): DomainName[] {
  return company.domain === null ? [...company.domainAliases] : [company.domain, ...company.domainAliases];
}

/** The hierarchy has at most this many levels, the top-level company counting as the first. */
export const MAX_HIERARCHY_LEVELS = 10;
