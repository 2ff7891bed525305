import type { DomainError } from '../errors.js';
import type { ChangeContext } from '../shared/domain-event.js';
import { err, ok, type Result } from '../shared/result.js';
import { toCompanyRecord, type Company, type SizeBand } from './company.js';
import type { CompanyEvent } from './company.events.js';
import { COMPANY_KIND } from './company-change.js';
import { CompanyFieldValidator } from './company-fields.js';
import { NO_INTERACTION } from '../shared/last-interaction.js';

/** What a caller may say about a new company; only the name is required. */
export interface NewCompanyInput {
  readonly name: string;
  readonly domain?: string | null | undefined;
  readonly domainAliases?: readonly string[] | undefined;
  readonly industry?: string | null | undefined;
  readonly sizeBand?: SizeBand | null | undefined;
  readonly country?: string | null | undefined;
  readonly phone?: string | null | undefined;
  readonly website?: string | null | undefined;
  readonly ownerId?: string | null | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly parentCompanyId?: string | null | undefined;
  readonly externalId?: string | null | undefined;
}

/** Creates a company and the CompanyCreated event that records it. */
export function createCompany(
  input: NewCompanyInput,
  context: ChangeContext & { readonly companyId: string },
): Result<{ company: Company; event: CompanyEvent }, DomainError> {
  const fields = new CompanyFieldValidator();
  const name = fields.name(input.name);
  const domain = fields.domain(input.domain ?? null);
  const draft = {
    name,
    domain,
    domainAliases: fields.domainAliases(input.domainAliases ?? [], domain),
    industry: fields.industry(input.industry ?? null),
    country: fields.country(input.country ?? null),
    phone: fields.phone(input.phone ?? null),
    website: fields.website(input.website ?? null),
    tags: fields.tags(input.tags ?? []),
    externalId: fields.externalId(input.externalId ?? null),
  };
  const valid = fields.result(draft);
  if (!valid.ok) return err(valid.error);

  const company: Company = {
    id: context.companyId,
    ...valid.value,
    sizeBand: input.sizeBand ?? null,
    ownerId: input.ownerId ?? null,
    parentCompanyId: input.parentCompanyId ?? null,
    version: 1,
    createdAt: context.now,
    updatedAt: context.now,
    deletedAt: null,
    lastInteraction: NO_INTERACTION,
  };
  const broken = COMPANY_KIND.invariant?.(company, company);
  if (broken) return err(broken);
  const event: CompanyEvent = {
    eventId: context.eventId,
    type: 'CompanyCreated',
    eventVersion: 1,
    aggregateType: 'company',
    aggregateId: company.id,
    aggregateVersion: 1,
    occurredAt: context.now,
    actor: context.actor,
    data: { company: toCompanyRecord(company) },
  };
  return ok({ company, event });
}
