import type { DomainError } from '../errors.js';
import { err, ok, type Result } from '../shared/result.js';
import { DEFAULT_SOURCE } from '../shared/source.js';
import { toCustomerEventRecord, type Customer, type CustomerTier } from './customer.js';
import type { ChangeContext, CustomerEvent } from './customer.events.js';
import { FieldValidator } from './customer-fields.js';
import { NO_PURCHASES } from '../purchase/purchase.js';

/** What a caller may say about a new customer; the status always starts at `lead`. */
export interface NewCustomerInput {
  readonly name: string;
  readonly email: string;
  readonly phone?: string | null | undefined;
  readonly source?: string | undefined;
  readonly tier?: CustomerTier | undefined;
  readonly userId?: string | null | undefined;
  readonly companyId?: string | null | undefined;
  readonly externalId?: string | null | undefined;
  readonly assignedTo?: string | null | undefined;
  readonly tags?: readonly string[] | undefined;
}

/** Creates a lead and the CustomerCreated event that records it. */
export function createCustomer(
  input: NewCustomerInput,
  context: ChangeContext & { readonly customerId: string },
): Result<{ customer: Customer; event: CustomerEvent }, DomainError> {
  const fields = new FieldValidator();
  const draft = {
    name: fields.name(input.name),
    email: fields.email(input.email),
    phone: fields.phone(input.phone ?? null),
    externalId: fields.externalId(input.externalId ?? null),
    source: input.source === undefined ? DEFAULT_SOURCE : fields.source(input.source),
    tags: fields.tags(input.tags ?? []),
  };
  fields.accountType(input.userId, input.companyId);
  const valid = fields.result(draft);
  if (!valid.ok) return err(valid.error);

  const customer: Customer = {
    id: context.customerId,
    userId: input.userId ?? null,
    companyId: input.companyId ?? null,
    ...valid.value,
    status: 'lead',
    tier: input.tier ?? 'free',
    assignedTo: input.assignedTo ?? null,
    version: 1,
    createdAt: context.now,
    updatedAt: context.now,
    churnedAt: null,
    deletedAt: null,
    purchases: NO_PURCHASES,
    lastInteractionAt: null,
    erasedAt: null,
  };
  const event: CustomerEvent = {
    eventId: context.eventId,
    type: 'CustomerCreated',
    eventVersion: 1,
    aggregateType: 'customer',
    aggregateId: customer.id,
    aggregateVersion: 1,
    occurredAt: context.now,
    actor: context.actor,
    data: { customer: toCustomerEventRecord(customer) },
  };
  return ok({ customer, event });
}
