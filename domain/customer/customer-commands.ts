import type { DomainError } from '../errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { CustomerPatch, CustomerTier, Timestamp } from './customer.js';
import type { CustomerChange } from './customer-change.js';
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
}

/** Every command accepts the version the caller last saw (If-Match). */
export interface CommandOptions {
  readonly expectedVersion?: number | undefined;
}

function withVersion(change: CustomerChange, options: CommandOptions): CustomerChange {
  return options.expectedVersion === undefined ? change : { ...change, expectedVersion: options.expectedVersion };
}

export function updateDetails(input: CustomerDetailsInput, options: CommandOptions = {}): Result<CustomerChange, DomainError> {
  const fields = new FieldValidator();
  const set: { -readonly [K in keyof CustomerPatch]: CustomerPatch[K] } = {};
  if (input.name !== undefined) set.name = fields.name(input.name);
  if (input.email !== undefined) set.email = fields.email(input.email);
  if (input.phone !== undefined) set.phone = fields.phone(input.phone);
  if (input.source !== undefined) set.source = fields.source(input.source);
  if (input.userId !== undefined) set.userId = input.userId;
  if (input.companyId !== undefined) set.companyId = input.companyId;
  fields.accountType(input.userId, input.companyId);
  if (Object.keys(set).length === 0) {
    fields.fail('body', 'give at least one of name, email, phone, source, user_id, company_id');
  }
  const valid = fields.result(set);
  return valid.ok ? ok(withVersion({ event: 'CustomerUpdated', set: valid.value }, options)) : err(valid.error);
}

/** A lifecycle transition; churned_at is set on churning and cleared when the customer leaves `churned`. */
export function transition(
  command: LifecycleCommand,
  now: Timestamp,
  options: CommandOptions & { readonly reason?: string | undefined } = {},
): CustomerChange {
  const step = LIFECYCLE[command];
  const set: CustomerPatch =
    step.to === 'churned'
      ? { status: step.to, churnedAt: now }
      : step.from === 'churned'
        ? { status: step.to, churnedAt: null }
        : { status: step.to };
  const note = options.reason === undefined ? undefined : { reason: options.reason };
  return withVersion({ event: step.event, set, requiresStatus: { status: step.from, command }, ...(note && { note }) }, options);
}

export function assign(assignedTo: string | null, options: CommandOptions = {}): CustomerChange {
  return withVersion({ event: 'CustomerAssigned', set: { assignedTo } }, options);
}

export function changeTier(tier: CustomerTier, options: CommandOptions = {}): CustomerChange {
  return withVersion({ event: 'CustomerTierChanged', set: { tier } }, options);
}

export function replaceTags(tags: readonly string[], options: CommandOptions = {}): Result<CustomerChange, DomainError> {
  const fields = new FieldValidator();
  const parsed = fields.tags(tags);
  const valid = fields.result(parsed);
  return valid.ok ? ok(withVersion({ event: 'CustomerTagsChanged', set: { tags: valid.value } }, options)) : err(valid.error);
}

export function deleteCustomer(now: Timestamp, options: CommandOptions = {}): CustomerChange {
  return withVersion({ event: 'CustomerDeleted', set: { deletedAt: now } }, options);
}
