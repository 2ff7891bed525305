import type { DomainError } from '../errors.js';
import {
  decideChange,
  type AggregateChange,
  type AggregateKind,
  type ChangeOutcome as Outcome,
  type Precondition,
} from '../shared/aggregate-change.js';
import type { Result } from '../shared/result.js';
import { sameTagSet, type Tag } from '../shared/tags.js';
import { isAccountTypeConsistent, PUBLIC_FIELD_NAMES, type Customer, type CustomerStatus, type PatchableField } from './customer.js';
import type { ChangeContext, CustomerEvent, CustomerEventType } from './customer.events.js';
import { commandsAllowedFrom, type LifecycleCommand } from './customer-lifecycle.js';
import { customerErased } from './customer-errors.js';

/** A change to an existing customer: the fields it sets, its precondition and its event. */
export type CustomerChange = AggregateChange<Customer, CustomerEventType, PatchableField>;

export type ChangeOutcome = Outcome<Customer, CustomerEvent>;

/** What the change core needs to know about customers. */
export const CUSTOMER_KIND: AggregateKind<Customer, PatchableField> = {
  type: 'customer',
  publicNames: PUBLIC_FIELD_NAMES,
  sameValue: { tags: (a, b) => sameTagSet(a as readonly Tag[], b as readonly Tag[]) },
  versionMismatch: (expected, customer) => ({
    code: 'CUSTOMER.VERSION_MISMATCH',
    message: `The customer was changed since version ${expected}; it is now at version ${customer.version}. Read it again and retry.`,
    details: { current_version: customer.version },
  }),
  invariant: (next, customer) =>
    isAccountTypeConsistent(next)
      ? null
      : {
          code: 'CUSTOMER.ACCOUNT_TYPE_CONFLICT',
          message:
            next.userId === customer.userId
              ? 'This customer is linked to a user (B2C); set user_id to null in the same request to make it a company contact.'
              : 'This customer is a company contact (B2B); set company_id to null in the same request to link it to a user.',
          details: { user_id: customer.userId, company_id: customer.companyId },
        },
};

/** Decides a change against the current customer: the new state and its event, no-op, or why not. */
export function applyChange(customer: Customer, change: CustomerChange, context: ChangeContext): Result<ChangeOutcome, DomainError> {
  return decideChange(CUSTOMER_KIND, customer, change, context);
}

/** The precondition of a lifecycle command: the customer must be in the command's source status. */
export function inStatus(status: CustomerStatus, command: LifecycleCommand): Precondition<Customer> {
  return { field: 'status', oneOf: [status], refusal: (customer) => invalidTransition(customer.status, { status, command }) };
}

/**
 * If-Match also names the purchase-summary revision (orders change the summary without a new
 * version, see etagOf): the change applies only while the summary is the one the caller saw.
 */
export function atSummaryRevision(revision: number): Precondition<Customer> {
  return {
    field: 'summaryRevision',
    oneOf: [revision],
    read: (customer) => customer.purchases.revision,
    refusal: (customer) => ({
      code: 'CUSTOMER.VERSION_MISMATCH',
      message: `The customer's purchase summary or last interaction changed since you read it (it is still at version ${customer.version}). Read it again and retry.`,
      details: { current_version: customer.version },
    }),
  };
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

/**
 * Every change of a customer requires that it is not erased (checked first, after the version):
 * the write kit tests the `erased` column in the change statement itself, so a change racing with
 * an erasure either commits before it (and is then scrubbed by it) or is refused.
 */
export const notErased: Precondition<Customer> = {
  field: 'erased',
  oneOf: [false],
  read: (customer) => customer.erasedAt !== null,
  refusal: (customer) => customerErased(customer.id, customer.erasedAt),
};
