import type { DomainError } from '../errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Timestamp } from '../shared/timestamp.js';
import type { CompanyPatch, SizeBand } from './company.js';
import type { CompanyChange } from './company-change.js';
import { CompanyFieldValidator } from './company-fields.js';

/** The descriptive fields and links a caller may edit; owner and tags have their own commands. */
export interface CompanyDetailsInput {
  readonly name?: string | undefined;
  readonly domain?: string | null | undefined;
  readonly domainAliases?: readonly string[] | undefined;
  readonly industry?: string | null | undefined;
  readonly sizeBand?: SizeBand | null | undefined;
  readonly country?: string | null | undefined;
  readonly phone?: string | null | undefined;
  readonly website?: string | null | undefined;
  readonly parentCompanyId?: string | null | undefined;
  readonly externalId?: string | null | undefined;
}

export function updateCompanyDetails(input: CompanyDetailsInput): Result<CompanyChange, DomainError> {
  const fields = new CompanyFieldValidator();
  const set: { -readonly [K in keyof CompanyPatch]: CompanyPatch[K] } = {};
  if (input.name !== undefined) set.name = fields.name(input.name);
  if (input.domain !== undefined) set.domain = fields.domain(input.domain);
  if (input.domainAliases !== undefined) set.domainAliases = fields.domainAliases(input.domainAliases, set.domain ?? null);
  if (input.industry !== undefined) set.industry = fields.industry(input.industry);
  if (input.sizeBand !== undefined) set.sizeBand = input.sizeBand;
  if (input.country !== undefined) set.country = fields.country(input.country);
  if (input.phone !== undefined) set.phone = fields.phone(input.phone);
  if (input.website !== undefined) set.website = fields.website(input.website);
  if (input.parentCompanyId !== undefined) set.parentCompanyId = input.parentCompanyId;
  if (input.externalId !== undefined) set.externalId = fields.externalId(input.externalId);
  if (Object.keys(set).length === 0) {
    fields.fail(
      'body',
      'give at least one of name, domain, domain_aliases, industry, size_band, country, phone, website, parent_company_id, external_id',
    );
  }
  const valid = fields.result(set);
  return valid.ok ? ok({ event: 'CompanyUpdated', set: valid.value }) : err(valid.error);
}

export function assignCompany(ownerId: string | null): CompanyChange {
  return { event: 'CompanyAssigned', set: { ownerId } };
}

export function replaceCompanyTags(tags: readonly string[]): Result<CompanyChange, DomainError> {
  const fields = new CompanyFieldValidator();
  const valid = fields.result(fields.tags(tags));
  return valid.ok ? ok({ event: 'CompanyTagsChanged', set: { tags: valid.value } }) : err(valid.error);
}

export function deleteCompany(now: Timestamp): CompanyChange {
  return { event: 'CompanyDeleted', set: { deletedAt: now } };
}
