import type { DomainError } from '../errors.js';
import type { JsonObject, JsonValue } from '../shared/json.js';
import { err, ok, type Result } from '../shared/result.js';
import { sameTagSet, type Tag } from '../shared/tags.js';
import {
  isAccountTypeConsistent,
  PUBLIC_FIELD_NAMES,
  type Customer,
  type CustomerPatch,
  type CustomerStatus,
  type PatchableField,
} from './customer.js';
import type { ChangeContext, CustomerEvent, CustomerEventType } from './customer.events.js';
import { commandsAllowedFrom, type LifecycleCommand } from './customer-lifecycle.js';

/**
 * A change to an existing customer, described as data: the preconditions it needs, the
 * fields it sets and the event that records it. `applyChange` decides it against a loaded
 * customer; a repository may instead enforce the same preconditions inside one SQL statement
 * and fall back to `applyChange` when they do not hold.
 */
export interface CustomerChange {
  readonly event: CustomerEventType;
  readonly set: CustomerPatch;
  /** When present, the change is allowed only from this status (the lifecycle command it carries). */
  readonly requiresStatus?: { readonly status: CustomerStatus; readonly command: LifecycleCommand };
  /** When present (If-Match), the change is allowed only on exactly this version. */
  readonly expectedVersion?: number;
  /** When present (If-Match), also only at this purchase-summary revision (orders change it without a version). */
  readonly expectedSummaryRevision?: number;
  /** Event data beyond the changed fields, e.g. the churn reason. */
  readonly note?: JsonObject;
}

export type ChangeOutcome =
  | { readonly kind: 'changed'; readonly customer: Customer; readonly event: CustomerEvent }
  | { readonly kind: 'unchanged'; readonly customer: Customer };

/** Whether a field's new value differs from its current one (tags compare as sets). */
export function fieldChanges(field: PatchableField, current: Customer[PatchableField], next: Customer[PatchableField]): boolean {
  if (field === 'tags') return !sameTagSet(current as readonly Tag[], next as readonly Tag[]);
  return current !== next;
}

/** Decides a change against the current customer: the new state and its event, no-op, or why not. */
export function applyChange(customer: Customer, change: CustomerChange, context: ChangeContext): Result<ChangeOutcome, DomainError> {
  if (change.expectedVersion !== undefined && change.expectedVersion !== customer.version) {
    return err({
      code: 'CUSTOMER.VERSION_MISMATCH',
      message: `The customer was changed since version ${change.expectedVersion}; it is now at version ${customer.version}. Read it again and retry.`,
      details: { current_version: customer.version },
    });
  }
  if (change.expectedSummaryRevision !== undefined && change.expectedSummaryRevision !== customer.purchases.revision) {
    return err({
      code: 'CUSTOMER.VERSION_MISMATCH',
      message: `The customer's purchase summary changed since you read it (it is still at version ${customer.version}). Read it again and retry.`,
      details: { current_version: customer.version },
    });
  }
  if (change.requiresStatus && customer.status !== change.requiresStatus.status) {
    return err(invalidTransition(customer.status, change.requiresStatus));
  }
  const changed = (Object.keys(change.set) as PatchableField[]).filter((field) =>
    fieldChanges(field, customer[field], change.set[field] as Customer[PatchableField]),
  );
  if (changed.length === 0) return ok({ kind: 'unchanged', customer });

  const next: Customer = { ...customer, ...change.set, version: customer.version + 1, updatedAt: context.now };
  if (!isAccountTypeConsistent(next)) {
    return err({
      code: 'CUSTOMER.ACCOUNT_TYPE_CONFLICT',
      message:
        next.userId === customer.userId
          ? 'This customer is linked to a user (B2C); set user_id to null in the same request to make it a company contact.'
          : 'This customer is a company contact (B2B); set company_id to null in the same request to link it to a user.',
      details: { user_id: customer.userId, company_id: customer.companyId },
    });
  }
  const changes: Record<string, JsonValue> = {};
  for (const field of changed) {
    changes[PUBLIC_FIELD_NAMES[field]] = { from: customer[field], to: next[field] };
  }
  const event: CustomerEvent = {
    eventId: context.eventId,
    type: change.event,
    eventVersion: 1,
    customerId: customer.id,
    customerVersion: next.version,
    occurredAt: context.now,
    actor: context.actor,
    data: { changes, ...change.note },
  };
  return ok({ kind: 'changed', customer: next, event });
}

function invalidTransition(current: CustomerStatus, required: { status: CustomerStatus; command: LifecycleCommand }): DomainError {
  const allowed = commandsAllowedFrom(current);
  return {
    code: 'CUSTOMER.INVALID_TRANSITION',
    message:
      `Cannot ${required.command} a customer whose status is '${current}': ${required.command} is only allowed from '${required.status}'. ` +
      (allowed.length > 0 ? `From '${current}' you can: ${allowed.join(', ')}.` : `No lifecycle command applies from '${current}'.`),
    details: { current_status: current, required_status: required.status, allowed_commands: allowed },
  };
}
