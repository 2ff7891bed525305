import type { DomainError } from '../errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { CustomerPatch, CustomerTier, Timestamp } from './customer.js';
import { inStatus, type CustomerChange } from './customer-change.js';
import { FieldValidator } from './customer-fields.js';
import { LIFECYCLE, type LifecycleCommand } from './customer-lifecycle.js';

/** Contact and account fields a caller may edit; status, tier, tags and assignment have their own commands. */
export interface CustomerDetailsInput {
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | null | undefined;
  readonly source?: string | undefined;
  readonly userId?: string | null | undefined;
  readonly companyId?: string | null | undefined;
  readonly externalId?: string | null | undefined;
}

export function updateDetails(input: CustomerDetailsInput): Result<CustomerChange, DomainError> {
  const fields = new FieldValidator();
  const set: { -readonly [K in keyof CustomerPatch]: CustomerPatch[K] } = {};
  if (input.name !== undefined) set.name = fields.name(input.name);
  if (input.email !== undefined) set.email = fields.email(input.email);
  if (input.phone !== undefined) set.phone = fields.phone(input.phone);
  if (input.source !== undefined) set.source = fields.source(input.source);
  if (input.userId !== undefined) set.userId = input.userId;
  if (input.companyId !== undefined) set.companyId = input.companyId;
  if (input.externalId !== undefined) set.externalId = fields.externalId(input.externalId);
  fields.accountType(input.userId, input.companyId);
  if (Object.keys(set).length === 0) {
    fields.fail('body', 'give at least one of name, email, phone, source, user_id, company_id, external_id');
  }
  const valid = fields.result(set);
  return valid.ok ? ok({ event: 'CustomerUpdated', set: valid.value }) : err(valid.error);
}

/** A lifecycle transition; churned_at is set on churning and cleared when the customer leaves `churned`. */
export function transition(
  command: LifecycleCommand,
  now: Timestamp,
  options: { readonly reason?: string | undefined } = {},
): CustomerChange {
  const step = LIFECYCLE[command];
  const set: CustomerPatch =
    step.to === 'churned'
      ? { status: step.to, churnedAt: now }
      : step.from === 'churned'
        ? { status: step.to, churnedAt: null }
        : { status: step.to };
  const note = options.reason === undefined ? undefined : { reason: options.reason };
  return { event: step.event, set, requires: [inStatus(step.from, command)], ...(note && { note }) };
}

export function assign(assignedTo: string | null): CustomerChange {
  return { event: 'CustomerAssigned', set: { assignedTo } };
}

export function changeTier(tier: CustomerTier): CustomerChange {
  return { event: 'CustomerTierChanged', set: { tier } };
}

export function replaceTags(tags: readonly string[]): Result<CustomerChange, DomainError> {
  const fields = new FieldValidator();
  const parsed = fields.tags(tags);
  const valid = fields.result(parsed);
  return valid.ok ? ok({ event: 'CustomerTagsChanged', set: { tags: valid.value } }) : err(valid.error);
}

export function deleteCustomer(now: Timestamp): CustomerChange {
  return { event: 'CustomerDeleted', set: { deletedAt: now } };
}
