import { describe, expect, it } from 'vitest';
import type { DomainError } from '../errors.js';
import { CUSTOMER_STATUSES, type Customer, type CustomerStatus } from './customer.js';
import { applyChange, type ChangeOutcome } from './customer-change.js';
import { transition } from './customer-commands.js';
import { LIFECYCLE, LIFECYCLE_COMMANDS, commandsAllowedFrom, type LifecycleCommand } from './customer-lifecycle.js';
import type { CustomerEvent } from './customer.events.js';
import { aCustomerIn, changeContext, CUSTOMER_ID, EARLIER_CHURNED_AT, NOW } from './customer.fixtures.js';

const context = changeContext();

function changed(outcome: ReturnType<typeof applyChange>): { customer: Customer; event: CustomerEvent } {
  if (!outcome.ok) throw new Error(`expected the change to be applied, got ${JSON.stringify(outcome.error)}`);
  const value: ChangeOutcome = outcome.value;
  if (value.kind !== 'changed') throw new Error('expected the change to produce a new state, got unchanged');
  return { customer: value.entity, event: value.event };
}

function rejected(outcome: ReturnType<typeof applyChange>): DomainError {
  if (outcome.ok) throw new Error(`expected the change to be rejected, got ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}

describe('the lifecycle table', () => {
  it('given the table, then it holds exactly the four documented transitions', () => {
    expect(LIFECYCLE).toEqual({
      qualify: { from: 'lead', to: 'prospect', event: 'CustomerQualified' },
      convert: { from: 'prospect', to: 'customer', event: 'CustomerConverted' },
      churn: { from: 'customer', to: 'churned', event: 'CustomerChurned' },
      reactivate: { from: 'churned', to: 'prospect', event: 'CustomerReactivated' },
    });
    expect(LIFECYCLE_COMMANDS).toEqual(['qualify', 'convert', 'churn', 'reactivate']);
  });

  it.each([
    ['lead', ['qualify']],
    ['prospect', ['convert']],
    ['customer', ['churn']],
    ['churned', ['reactivate']],
  ] as const)('given status %s, when asking which commands apply, then they are %j', (status, commands) => {
    expect(commandsAllowedFrom(status)).toEqual(commands);
  });
});

describe('allowed transitions', () => {
  it('given a lead, when qualified, then it becomes a prospect at the next version and CustomerQualified records it', () => {
    const lead = aCustomerIn('lead');

    const { customer, event } = changed(applyChange(lead, transition('qualify', NOW), context));

    expect(customer).toEqual({ ...lead, status: 'prospect', version: 4, updatedAt: NOW, churnedAt: null });
    expect(event).toEqual({
      eventId: context.eventId,
      type: 'CustomerQualified',
      eventVersion: 1,
      aggregateType: 'customer',
      aggregateId: CUSTOMER_ID,
      aggregateVersion: 4,
      occurredAt: NOW,
      actor: 'user:alice',
      data: { changes: { status: { from: 'lead', to: 'prospect' } } },
    });
  });

  it('given a prospect, when converted, then it becomes a customer at the next version and CustomerConverted records it', () => {
    const prospect = aCustomerIn('prospect');

    const { customer, event } = changed(applyChange(prospect, transition('convert', NOW), context));

    expect(customer).toEqual({ ...prospect, status: 'customer', version: 4, updatedAt: NOW, churnedAt: null });
    expect(event).toEqual({
      eventId: context.eventId,
      type: 'CustomerConverted',
      eventVersion: 1,
      aggregateType: 'customer',
      aggregateId: CUSTOMER_ID,
      aggregateVersion: 4,
      occurredAt: NOW,
      actor: 'user:alice',
      data: { changes: { status: { from: 'prospect', to: 'customer' } } },
    });
  });

  it('given a customer, when churned with a reason, then it is churned with churned_at = now and the reason is in CustomerChurned', () => {
    const active = aCustomerIn('customer');

    const { customer, event } = changed(applyChange(active, transition('churn', NOW, { reason: 'moved to a competitor' }), context));

    expect(customer).toEqual({ ...active, status: 'churned', version: 4, updatedAt: NOW, churnedAt: NOW });
    expect(event).toEqual({
      eventId: context.eventId,
      type: 'CustomerChurned',
      eventVersion: 1,
      aggregateType: 'customer',
      aggregateId: CUSTOMER_ID,
      aggregateVersion: 4,
      occurredAt: NOW,
      actor: 'user:alice',
      data: {
        changes: { status: { from: 'customer', to: 'churned' }, churned_at: { from: null, to: NOW } },
        reason: 'moved to a competitor',
      },
    });
  });

  it('given a customer, when churned without a reason, then CustomerChurned carries no reason key', () => {
    const { event } = changed(applyChange(aCustomerIn('customer'), transition('churn', NOW), context));

    expect(event.data).toEqual({
      changes: { status: { from: 'customer', to: 'churned' }, churned_at: { from: null, to: NOW } },
    });
    expect(event.data).not.toHaveProperty('reason');
  });

  it('given a churned customer, when reactivated, then it is a prospect again with churned_at cleared', () => {
    const churned = aCustomerIn('churned');
    expect(churned.churnedAt).toBe(EARLIER_CHURNED_AT);

    const { customer, event } = changed(applyChange(churned, transition('reactivate', NOW), context));

    expect(customer).toEqual({ ...churned, status: 'prospect', version: 4, updatedAt: NOW, churnedAt: null });
    expect(event).toEqual({
      eventId: context.eventId,
      type: 'CustomerReactivated',
      eventVersion: 1,
      aggregateType: 'customer',
      aggregateId: CUSTOMER_ID,
      aggregateVersion: 4,
      occurredAt: NOW,
      actor: 'user:alice',
      data: {
        changes: { status: { from: 'churned', to: 'prospect' }, churned_at: { from: EARLIER_CHURNED_AT, to: null } },
      },
    });
  });

  it('given a lead, when it goes through the whole lifecycle, then each step bumps the version by one', () => {
    let customer = aCustomerIn('lead', { version: 1 });
    const steps: LifecycleCommand[] = ['qualify', 'convert', 'churn', 'reactivate'];
    const seen: [CustomerStatus, number][] = [];
    for (const command of steps) {
      customer = changed(applyChange(customer, transition(command, NOW), context)).customer;
      seen.push([customer.status, customer.version]);
    }
    expect(seen).toEqual([
      ['prospect', 2],
      ['customer', 3],
      ['churned', 4],
      ['prospect', 5],
    ]);
    expect(customer.churnedAt).toBeNull();
  });

  it('given a lead and the right expected version, when qualified, then the transition applies', () => {
    const { customer } = changed(applyChange(aCustomerIn('lead'), { ...transition('qualify', NOW), expectedVersion: 3 }, context));

    expect(customer.status).toBe('prospect');
    expect(customer.version).toBe(4);
  });

  it('given a lead and a stale expected version, when qualified, then the version mismatch is reported', () => {
    const error = rejected(applyChange(aCustomerIn('lead'), { ...transition('qualify', NOW), expectedVersion: 2 }, context));

    expect(error.code).toBe('CUSTOMER.VERSION_MISMATCH');
    expect(error.details).toEqual({ current_version: 3 });
  });
});

describe('forbidden transitions', () => {
  const forbidden = LIFECYCLE_COMMANDS.flatMap((command) =>
    CUSTOMER_STATUSES.filter((status) => status !== LIFECYCLE[command].from).map((status) => ({ command, status })),
  );

  it('given the status and command lists, then 12 of the 16 combinations are forbidden', () => {
    expect(forbidden).toHaveLength(CUSTOMER_STATUSES.length * LIFECYCLE_COMMANDS.length - LIFECYCLE_COMMANDS.length);
    expect(forbidden).toHaveLength(12);
  });

  it.each(forbidden)(
    'given a customer in status $status, when $command is applied, then it is rejected as an invalid transition',
    ({ command, status }) => {
      const current = aCustomerIn(status);
      const required = LIFECYCLE[command].from;
      const allowed = commandsAllowedFrom(status);

      const error = rejected(applyChange(current, transition(command, NOW, { reason: 'ignored' }), context));

      expect(error).toEqual({
        code: 'CUSTOMER.INVALID_TRANSITION',
        message:
          `Cannot ${command} a customer whose status is '${status}': ${command} is only allowed from '${required}'. ` +
          `From '${status}' you can: ${allowed.join(', ')}.`,
        details: { current_status: status, required_status: required, allowed_commands: allowed },
      });
      expect(error.message).toContain(`'${status}'`);
      expect(allowed).toHaveLength(1);
    },
  );

  it('given a prospect, when qualified again, then the message tells what can be done instead', () => {
    const error = rejected(applyChange(aCustomerIn('prospect'), transition('qualify', NOW), context));

    expect(error.message).toBe(
      "Cannot qualify a customer whose status is 'prospect': qualify is only allowed from 'lead'. From 'prospect' you can: convert.",
    );
    expect(error.details).toEqual({ current_status: 'prospect', required_status: 'lead', allowed_commands: ['convert'] });
  });

  it('given a stale version and a forbidden transition, when applied, then the version mismatch wins (it is checked first)', () => {
    const error = rejected(applyChange(aCustomerIn('churned'), { ...transition('qualify', NOW), expectedVersion: 1 }, context));

    expect(error.code).toBe('CUSTOMER.VERSION_MISMATCH');
  });
});
