import { describe, expect, it } from 'vitest';
import type { DomainError } from '../errors.js';
import { NO_PURCHASES } from '../purchase/purchase.js';
import type { Result } from '../shared/result.js';
import type { Customer } from './customer.js';
import { applyChange, atSummaryRevision, type CustomerChange } from './customer-change.js';
import { assign, changeTier, deleteCustomer, replaceTags, updateDetails } from './customer-commands.js';
import type { CustomerEvent } from './customer.events.js';
import { aCustomer, changeContext, COMPANY_ID, CUSTOMER_ID, NOW, SALES_REP_ID, tags, USER_ID } from './customer.fixtures.js';

const context = changeContext();

function command(result: Result<CustomerChange, DomainError>): CustomerChange {
  if (!result.ok) throw new Error(`expected a valid command, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function invalidCommand(result: Result<CustomerChange, DomainError>): DomainError {
  if (result.ok) throw new Error(`expected the command to be invalid, got ${JSON.stringify(result.value)}`);
  return result.error;
}

function changed(current: Customer, change: CustomerChange): { customer: Customer; event: CustomerEvent } {
  const outcome = applyChange(current, change, context);
  if (!outcome.ok) throw new Error(`expected the change to be applied, got ${JSON.stringify(outcome.error)}`);
  if (outcome.value.kind !== 'changed') throw new Error('expected a new state, got unchanged');
  return { customer: outcome.value.entity, event: outcome.value.event };
}

function rejected(current: Customer, change: CustomerChange): DomainError {
  const outcome = applyChange(current, change, context);
  if (outcome.ok) throw new Error(`expected the change to be rejected, got ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}

/** The event every change to the default fixture (version 3) produces, apart from its type and data. */
function eventOf(type: CustomerEvent['type'], data: CustomerEvent['data']): CustomerEvent {
  return {
    eventId: context.eventId,
    type,
    eventVersion: 1,
    aggregateType: 'customer',
    aggregateId: CUSTOMER_ID,
    aggregateVersion: 4,
    occurredAt: NOW,
    actor: 'user:alice',
    data,
  };
}

describe('updateDetails', () => {
  it('given a customer, when the name and email change, then only those fields appear in changes, with from and to', () => {
    const current = aCustomer();

    const { customer, event } = changed(current, command(updateDetails({ name: ' Ada King ', email: 'ADA.KING@example.com' })));

    expect(customer).toEqual({
      ...current,
      name: 'Ada King',
      email: 'ada.king@example.com',
      version: 4,
      updatedAt: NOW,
    });
    expect(event).toEqual(
      eventOf('CustomerUpdated', {
        changes: {
          name: { from: 'Ada Lovelace', to: 'Ada King' },
          email: { from: 'ada@example.com', to: 'ada.king@example.com' },
        },
      }),
    );
  });

  it('given a customer, when some given fields equal the current ones, then only the differing fields are in changes', () => {
    const current = aCustomer();

    const { event } = changed(
      current,
      command(updateDetails({ name: 'Ada Lovelace', email: 'Ada@Example.com', phone: '+44 20 7946 0958', source: 'referral' })),
    );

    expect(event.data).toEqual({ changes: { source: { from: 'website', to: 'referral' } } });
  });

  it('given a customer with a phone, when the phone is cleared, then changes records it going to null', () => {
    const { customer, event } = changed(aCustomer(), command(updateDetails({ phone: null })));

    expect(customer.phone).toBeNull();
    expect(event.data).toEqual({ changes: { phone: { from: '+442079460958', to: null } } });
  });

  it('given details equal to the current ones, when applied, then the outcome is unchanged and carries the same customer', () => {
    const current = aCustomer();

    const outcome = applyChange(current, command(updateDetails({ name: 'Ada Lovelace', email: 'ada@example.com' })), context);

    expect(outcome).toEqual({ ok: true, value: { kind: 'unchanged', entity: current } });
    if (outcome.ok) expect(outcome.value.entity).toBe(current);
  });

  it('given an empty input, when building the command, then VALIDATION_FAILED asks for at least one field', () => {
    const error = invalidCommand(updateDetails({}));

    expect(error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'The request is invalid. body: give at least one of name, email, phone, source, user_id, company_id, external_id',
      details: {
        fields: [{ field: 'body', message: 'give at least one of name, email, phone, source, user_id, company_id, external_id' }],
      },
    });
  });

  it('given only undefined fields, when building the command, then it counts as empty', () => {
    const error = invalidCommand(updateDetails({ name: undefined, email: undefined }));

    expect(error.details).toEqual({
      fields: [{ field: 'body', message: 'give at least one of name, email, phone, source, user_id, company_id, external_id' }],
    });
  });

  it('given a blank name and a bad email, when building the command, then both issues are reported', () => {
    const error = invalidCommand(updateDetails({ name: ' ', email: 'nobody' }));

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual({
      fields: [
        { field: 'name', message: 'name is required and cannot be blank' },
        { field: 'email', message: 'email must look like name@example.com' },
      ],
    });
  });

  it('given both user_id and company_id, when building the command, then VALIDATION_FAILED names company_id', () => {
    const error = invalidCommand(updateDetails({ userId: USER_ID, companyId: COMPANY_ID }));

    expect(error.details).toEqual({
      fields: [{ field: 'company_id', message: 'a customer is either B2C (user_id) or B2B (company_id), not both; send only one of them' }],
    });
  });
});

describe('account type (B2C xor B2B)', () => {
  it('given a B2B customer, when a user_id is set, then CUSTOMER.ACCOUNT_TYPE_CONFLICT says to clear company_id', () => {
    const b2b = aCustomer({ companyId: COMPANY_ID });

    const error = rejected(b2b, command(updateDetails({ userId: USER_ID })));

    expect(error).toEqual({
      code: 'CUSTOMER.ACCOUNT_TYPE_CONFLICT',
      message: 'This customer is a company contact (B2B); set company_id to null in the same request to link it to a user.',
      details: { user_id: null, company_id: COMPANY_ID },
    });
  });

  it('given a B2B customer, when a user_id is set and company_id cleared in the same change, then it becomes B2C', () => {
    const b2b = aCustomer({ companyId: COMPANY_ID });

    const { customer, event } = changed(b2b, command(updateDetails({ userId: USER_ID, companyId: null })));

    expect(customer).toEqual({ ...b2b, userId: USER_ID, companyId: null, version: 4, updatedAt: NOW });
    expect(event).toEqual(
      eventOf('CustomerUpdated', {
        changes: { user_id: { from: null, to: USER_ID }, company_id: { from: COMPANY_ID, to: null } },
      }),
    );
  });

  it('given a B2C customer linked to a user, when a company_id is set, then the conflict says to clear user_id', () => {
    const b2c = aCustomer({ userId: USER_ID });

    const error = rejected(b2c, command(updateDetails({ companyId: COMPANY_ID })));

    expect(error).toEqual({
      code: 'CUSTOMER.ACCOUNT_TYPE_CONFLICT',
      message: 'This customer is linked to a user (B2C); set user_id to null in the same request to make it a company contact.',
      details: { user_id: USER_ID, company_id: null },
    });
  });

  it('given a customer with neither link, when a company_id is set, then it becomes a B2B contact', () => {
    const { customer } = changed(aCustomer(), command(updateDetails({ companyId: COMPANY_ID })));

    expect([customer.userId, customer.companyId]).toEqual([null, COMPANY_ID]);
  });
});

describe('no-op changes', () => {
  it('given a basic-tier customer, when the tier is set to basic, then it is unchanged and no event is produced', () => {
    const current = aCustomer({ tier: 'basic' });

    expect(applyChange(current, changeTier('basic'), context)).toEqual({ ok: true, value: { kind: 'unchanged', entity: current } });
  });

  it('given an assigned customer, when assigned to the same rep, then it is unchanged', () => {
    const current = aCustomer({ assignedTo: SALES_REP_ID });

    expect(applyChange(current, assign(SALES_REP_ID), context)).toEqual({ ok: true, value: { kind: 'unchanged', entity: current } });
  });

  it('given an unassigned customer, when unassigned, then it is unchanged', () => {
    const current = aCustomer({ assignedTo: null });

    expect(applyChange(current, assign(null), context)).toEqual({ ok: true, value: { kind: 'unchanged', entity: current } });
  });

  it('given tags vip and newsletter, when replaced by the same tags in another order and case, then it is unchanged (tags are a set)', () => {
    const current = aCustomer({ tags: tags('vip', 'newsletter') });

    const outcome = applyChange(current, command(replaceTags(['Newsletter', ' vip', 'newsletter'])), context);

    expect(outcome).toEqual({ ok: true, value: { kind: 'unchanged', entity: current } });
  });

  it('given a stale expected version, when a no-op is applied, then the version mismatch is still reported', () => {
    const error = rejected(aCustomer({ tier: 'basic' }), { ...changeTier('basic'), expectedVersion: 2 });

    expect(error.code).toBe('CUSTOMER.VERSION_MISMATCH');
  });
});

describe('assign, tier and tags', () => {
  it('given an unassigned customer, when assigned, then CustomerAssigned records assigned_to', () => {
    const current = aCustomer();

    const { customer, event } = changed(current, assign(SALES_REP_ID));

    expect(customer).toEqual({ ...current, assignedTo: SALES_REP_ID, version: 4, updatedAt: NOW });
    expect(event).toEqual(eventOf('CustomerAssigned', { changes: { assigned_to: { from: null, to: SALES_REP_ID } } }));
  });

  it('given a basic-tier customer, when moved to enterprise, then CustomerTierChanged records the tier', () => {
    const current = aCustomer({ tier: 'basic' });

    const { customer, event } = changed(current, changeTier('enterprise'));

    expect(customer).toEqual({ ...current, tier: 'enterprise', version: 4, updatedAt: NOW });
    expect(event).toEqual(eventOf('CustomerTierChanged', { changes: { tier: { from: 'basic', to: 'enterprise' } } }));
  });

  it('given tags, when replaced by a different set, then CustomerTagsChanged records the normalised lists', () => {
    const current = aCustomer({ tags: tags('vip', 'newsletter') });

    const { customer, event } = changed(current, command(replaceTags(['VIP', 'Churn-Risk', 'vip'])));

    expect(customer).toEqual({ ...current, tags: ['vip', 'churn-risk'], version: 4, updatedAt: NOW });
    expect(event).toEqual(
      eventOf('CustomerTagsChanged', { changes: { tags: { from: ['vip', 'newsletter'], to: ['vip', 'churn-risk'] } } }),
    );
  });

  it('given tags, when all are removed, then the tags become empty', () => {
    const { customer, event } = changed(aCustomer({ tags: tags('vip') }), command(replaceTags([])));

    expect(customer.tags).toEqual([]);
    expect(event.data).toEqual({ changes: { tags: { from: ['vip'], to: [] } } });
  });

  it('given an invalid tag, when building replaceTags, then VALIDATION_FAILED names the tag', () => {
    const error = invalidCommand(replaceTags(['ok', '']));

    expect(error.details).toEqual({
      fields: [{ field: 'tags', message: `tag #2 ("") must be 1-50 characters of a-z, 0-9, ':', '_' or '-'` }],
    });
  });
});

describe('expected version (If-Match)', () => {
  it('given a customer at version 3, when a change expects version 2, then CUSTOMER.VERSION_MISMATCH gives the current version', () => {
    const error = rejected(aCustomer({ version: 3 }), { ...changeTier('pro'), expectedVersion: 2 });

    expect(error).toEqual({
      code: 'CUSTOMER.VERSION_MISMATCH',
      message: 'The customer was changed since version 2; it is now at version 3. Read it again and retry.',
      details: { current_version: 3 },
    });
  });

  it('given a customer at version 3, when a change expects version 4 (from the future), then it is a mismatch too', () => {
    const error = rejected(aCustomer({ version: 3 }), { ...command(updateDetails({ name: 'X' })), expectedVersion: 4 });

    expect(error.details).toEqual({ current_version: 3 });
  });

  it('given orders changed the purchase summary since it was read, when a change expects the earlier revision, then it is a mismatch', () => {
    const ordered = aCustomer({ version: 3, purchases: { ...NO_PURCHASES, ordersCount: 1, revision: 2 } });

    expect(rejected(ordered, { ...changeTier('pro'), expectedVersion: 3, requires: [atSummaryRevision(1)] })).toMatchObject({
      code: 'CUSTOMER.VERSION_MISMATCH',
      details: { current_version: 3 },
    });
    expect(changed(ordered, { ...changeTier('pro'), expectedVersion: 3, requires: [atSummaryRevision(2)] }).customer.version).toBe(4);
  });

  it('given a customer at version 3, when a change expects version 3, then it applies and produces version 4', () => {
    const { customer, event } = changed(aCustomer({ version: 3 }), { ...changeTier('pro'), expectedVersion: 3 });

    expect(customer.version).toBe(4);
    expect(event.aggregateVersion).toBe(4);
  });
});

describe('delete', () => {
  it('given a live customer, when deleted, then deletedAt is set to now and CustomerDeleted records it', () => {
    const current = aCustomer();

    const { customer, event } = changed(current, deleteCustomer(NOW));

    expect(customer).toEqual({ ...current, deletedAt: NOW, version: 4, updatedAt: NOW });
    expect(event).toEqual(eventOf('CustomerDeleted', { changes: { deleted_at: { from: null, to: NOW } } }));
  });

  it('given a stale expected version, when deleted, then it is a version mismatch', () => {
    const error = rejected(aCustomer(), { ...deleteCustomer(NOW), expectedVersion: 1 });

    expect(error.code).toBe('CUSTOMER.VERSION_MISMATCH');
  });
});
