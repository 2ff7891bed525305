import { toCustomerRecord, type Customer } from '../../domain/customer/customer.js';
import type { CustomerEvent } from '../../domain/customer/customer.events.js';
import type { JsonObject } from '../../domain/shared/json.js';

/** A customer as the API shows it: the public record without the soft-delete stamp. */
export function customerBody(customer: Customer): JsonObject {
  const { deleted_at: _deleted, ...record } = toCustomerRecord(customer);
  return record;
}

/** The version is the entity tag, so If-Match / If-None-Match can guard and cache on it. */
export function etagOf(customer: Customer): string {
  return `"${customer.version}"`;
}

export function eventBody(event: CustomerEvent): JsonObject {
  return {
    event_id: event.eventId,
    event_type: event.type,
    event_version: event.eventVersion,
    customer_id: event.customerId,
    customer_version: event.customerVersion,
    occurred_at: event.occurredAt,
    actor: event.actor,
    data: event.data,
  };
}
