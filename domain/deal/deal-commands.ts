import type { DomainError } from '../errors.js';
import type { AggregateKind } from '../shared/aggregate-change.js';
import { err, ok, type Result } from '../shared/result.js';
import { sameTagSet, type Tag } from '../shared/tags.js';
import type { Timestamp } from '../shared/timestamp.js';
import { DEAL_PUBLIC_NAMES, type Deal, type DealPatchableField } from './deal.js';
import { DealFieldValidator } from './deal-fields.js';
import type { DealChange } from './deal-stages.js';

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What the change core needs to know about deals. */
export const DEAL_KIND: AggregateKind<Deal, DealPatchableField> = {
  type: 'deal',
  publicNames: DEAL_PUBLIC_NAMES,
  sameValue: {
    tags: (a, b) => sameTagSet(a as readonly Tag[], b as readonly Tag[]),
    contacts: sameJson,
    lost: sameJson,
  },
  versionMismatch: (expected, deal) => ({
    code: 'DEAL.VERSION_MISMATCH',
    message: `The deal was changed since version ${expected}; it is now at version ${deal.version}. Read it again and retry.`,
    details: { current_version: deal.version },
  }),
  invariant: (next) =>
    next.companyId === null && next.primaryCustomerId === null
      ? {
          code: 'VALIDATION_FAILED',
          message: 'A deal needs a company_id, a primary_customer_id, or both; this change would leave it with neither.',
          details: { fields: [{ field: 'primary_customer_id', message: 'a deal needs a company_id, a primary_customer_id, or both' }] },
        }
      : null,
};

/** Fields a caller may edit with PUT; stage, owner, tags and contacts have their own commands, currency is fixed. */
export interface DealDetailsInput {
  readonly name?: string | undefined;
  readonly amountMinor?: number | null | undefined;
  readonly expectedCloseDate?: string | null | undefined;
  readonly companyId?: string | null | undefined;
  readonly primaryCustomerId?: string | null | undefined;
  readonly source?: string | undefined;
  readonly externalId?: string | null | undefined;
  readonly forecastCategoryOverride?: string | null | undefined;
}

export function updateDetails(input: DealDetailsInput): Result<DealChange, DomainError> {
  const fields = new DealFieldValidator();
  const set: { -readonly [K in DealPatchableField]?: Deal[K] } = {};
  if (input.name !== undefined) set.name = fields.name(input.name);
  if (input.amountMinor !== undefined) set.amountMinor = fields.amount(input.amountMinor);
  if (input.expectedCloseDate !== undefined) set.expectedCloseDate = fields.date('expected_close_date', input.expectedCloseDate);
  if (input.companyId !== undefined) set.companyId = input.companyId;
  if (input.primaryCustomerId !== undefined) set.primaryCustomerId = input.primaryCustomerId;
  if (input.source !== undefined) set.source = fields.source(input.source);
  if (input.externalId !== undefined) set.externalId = fields.externalId(input.externalId);
  if (input.forecastCategoryOverride !== undefined) set.forecastCategoryOverride = fields.forecastCategory(input.forecastCategoryOverride);
  if (Object.keys(set).length === 0) {
    fields.fail(
      'body',
      'give at least one of name, amount_minor, expected_close_date, company_id, primary_customer_id, source, external_id, forecast_category_override',
    );
  }
  const valid = fields.result(set);
  return valid.ok ? ok({ event: 'DealUpdated', set: valid.value }) : err(valid.error);
}

export function assign(ownerId: string | null): DealChange {
  return { event: 'DealAssigned', set: { ownerId } };
}

export function replaceTags(tags: readonly string[]): Result<DealChange, DomainError> {
  const fields = new DealFieldValidator();
  const valid = fields.result(fields.tags(tags));
  return valid.ok ? ok({ event: 'DealTagsChanged', set: { tags: valid.value } }) : err(valid.error);
}

export function replaceContacts(
  contacts: readonly { readonly customer_id: string; readonly role: string }[],
): Result<DealChange, DomainError> {
  const fields = new DealFieldValidator();
  const valid = fields.result(fields.contacts(contacts));
  return valid.ok ? ok({ event: 'DealContactsChanged', set: { contacts: valid.value } }) : err(valid.error);
}

export function deleteDeal(now: Timestamp): DealChange {
  return { event: 'DealDeleted', set: { deletedAt: now } };
}
