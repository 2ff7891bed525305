import { randomUUID } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../domain/customer/create-customer.js';
import * as commands from '../../domain/customer/customer-commands.js';
import { applyChange, type CustomerChange } from '../../domain/customer/customer-change.js';
import type { Result } from '../../domain/shared/result.js';
import type { Customer } from '../../domain/customer/customer.js';
import type { CustomerRepository } from '../../domain/customer/customer-repository.js';
import type { Email } from '../../domain/shared/email.js';
import { createSalesRepDirectory } from '../../functions/sales-reps/sales-rep-directory.js';
import { createCustomerRepository } from '../../functions/customers/customer-repository.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { aCompany } from '../support/company-fixtures.js';

/** The change a command built, failing the test if the command refused its input. */
function valid(change: Result<CustomerChange, unknown>): CustomerChange {
  if (!change.ok) throw new Error(`command refused: ${JSON.stringify(change.error)}`);
  return change.value;
}

let clock = Date.parse('2025-06-01T08:00:00.000Z');
const context = () => ({ eventId: uuidv7(), now: new Date((clock += 1000)).toISOString(), actor: 'contract-test' });

function newCustomer(overrides: Partial<Parameters<typeof createCustomer>[0]> = {}) {
  const created = createCustomer(
    { name: 'Grace Hopper', email: `grace.${randomUUID().slice(0, 8)}@example.com`, ...overrides },
    { ...context(), customerId: uuidv7() },
  );
  if (!created.ok) throw new Error(created.error.message);
  return created.value;
}

/** Active sales reps in the directory: customers may be assigned only to them (checked by the write itself). */
const REPS = [randomUUID(), randomUUID()] as const;

describe.each(availableDialects())('CustomerRepository contract on %s', (dialect) => {
  let database: TestDatabase;
  let repository: CustomerRepository;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    repository = createCustomerRepository(database.db);
    const directory = createSalesRepDirectory(database.db);
    for (const rep of REPS) await directory.upsert({ userId: rep, active: true, at: '2025-01-01T00:00:00.000Z' });
  });
  afterAll(() => database.close());

  async function stored(overrides: Partial<Parameters<typeof createCustomer>[0]> = {}): Promise<Customer> {
    const { customer, event } = newCustomer(overrides);
    // The insert also reads the new customer's possible duplicates (test/duplicates covers them).
    expect(await repository.insert(customer, event)).toEqual({ kind: 'inserted', reads: { duplicates: expect.anything() } });
    return customer;
  }

  it('round-trips every field of a customer exactly', async () => {
    const customer = await stored({
      phone: '+44 20 7946 0958',
      source: 'cold-call',
      tier: 'enterprise',
      companyId: await aCompany(database.db),
      assignedTo: REPS[0],
      tags: ['vip', 'emea'],
    });
    expect(await repository.findById(customer.id)).toEqual(customer);
    expect(await repository.findByEmail(customer.email.toUpperCase() as Email)).toEqual(customer);
    expect(await repository.history(customer.id, { limit: 100 })).toEqual({
      kind: 'page',
      items: [newCustomerEventShape(customer)],
      hasMore: false,
    });
  });

  it('reports unique conflicts on email (any case) and user_id, and stores nothing for them', async () => {
    const userId = randomUUID();
    const first = await stored({ userId, email: 'unique@example.com' });
    const sameEmail = newCustomer({ email: 'UNIQUE@example.com' });
    expect(await repository.insert(sameEmail.customer, sameEmail.event)).toEqual({ kind: 'conflict', field: 'email' });
    const sameUser = newCustomer({ userId });
    expect(await repository.insert(sameUser.customer, sameUser.event)).toEqual({ kind: 'conflict', field: 'user_id' });
    expect(await repository.findById(sameEmail.customer.id)).toBeNull();
    expect(await repository.findIdByUnique('email', 'Unique@Example.com')).toBe(first.id);
    expect(await repository.findIdByUnique('user_id', userId)).toBe(first.id);
    // Within a visibility, only a customer inside it is named.
    expect(await repository.findIdByUnique('email', 'unique@example.com', { assignedTo: randomUUID() })).toBeNull();
    expect(await repository.findIdByUnique('user_id', userId, { assignedTo: randomUUID() })).toBeNull();
  });

  it('refuses, in the write statement, an assignee who is not an active sales rep, writing nothing', async () => {
    const unknown = randomUUID();
    const { customer, event } = newCustomer({ assignedTo: unknown });
    expect(await repository.insert(customer, event)).toEqual({ kind: 'conflict', field: 'sales_rep' });
    expect(await repository.findById(customer.id)).toBeNull();
    const existing = await stored();
    const refused = await repository.saveChange(existing.id, commands.assign(unknown), {
      eventId: randomUUID(),
      now: '2026-01-01T00:00:00.000Z',
      actor: 'contract-test',
    });
    expect(refused).toEqual({ kind: 'conflict', field: 'sales_rep' });
    expect(await repository.findById(existing.id)).toEqual(existing);
  });

  it('saves a change in one statement with exactly the event the domain decides', async () => {
    const changes: ((now: string) => CustomerChange)[] = [
      () => commands.assign(REPS[1]),
      (now) => commands.transition('qualify', now),
      () => commands.changeTier('pro'),
      () => valid(commands.replaceTags(['b', 'a'])),
      () => valid(commands.updateDetails({ name: 'Rear Admiral Hopper', phone: '+1 415 555 2671', source: 'event' })),
      (now) => commands.transition('convert', now),
      (now) => commands.transition('churn', now, { reason: 'budget' }),
      (now) => commands.transition('reactivate', now),
      (now) => commands.deleteCustomer(now),
    ];
    let current = await stored({ tags: ['a'] });
    for (const build of changes) {
      const ctx = context();
      const change = build(ctx.now);
      const decided = applyChange(current, change, ctx);
      if (!decided.ok || decided.value.kind !== 'changed') throw new Error(`domain refused ${change.event}`);
      const saved = await repository.saveChange(current.id, change, ctx);
      expect(saved, change.event).toEqual({ kind: 'saved', entity: decided.value.entity, event: decided.value.event });
      current = decided.value.entity;
    }
    expect(await repository.findById(current.id)).toBeNull();
    expect(await repository.history(current.id, { limit: 100 })).toBeNull();
  });

  it('does not apply a change whose precondition fails or that changes nothing', async () => {
    const customer = await stored({ tier: 'basic', tags: ['x', 'y'] });
    const notApplied = { kind: 'not_applied' };
    expect(await repository.saveChange(customer.id, commands.transition('convert', context().now), context())).toEqual(notApplied);
    expect(await repository.saveChange(customer.id, commands.changeTier('basic'), context())).toEqual(notApplied);
    expect(await repository.saveChange(customer.id, valid(commands.replaceTags(['Y', 'x'])), context())).toEqual(notApplied);
    expect(await repository.saveChange(customer.id, { ...commands.changeTier('pro'), expectedVersion: 7 }, context())).toEqual(notApplied);
    expect(await repository.saveChange(randomUUID(), commands.changeTier('pro'), context())).toEqual(notApplied);
    // the B2C/B2B check constraint backs the domain rule
    const b2b = await stored({ companyId: await aCompany(database.db) });
    expect(await repository.saveChange(b2b.id, valid(commands.updateDetails({ userId: randomUUID() })), context())).toEqual(notApplied);
    expect(await repository.findById(customer.id)).toEqual(customer);
    expect(await repository.history(customer.id, { limit: 100 })).toMatchObject({ items: [expect.anything()] });
  });

  it('reports a unique conflict when a change takes another customer’s email', async () => {
    const taken = await stored();
    const other = await stored();
    const change = valid(commands.updateDetails({ email: taken.email.toUpperCase() }));
    expect(await repository.saveChange(other.id, change, context())).toEqual({ kind: 'conflict', field: 'email' });
  });

  it('pages through a sort with ties on the key without skipping or repeating', async () => {
    const ids = new Set<string>();
    for (let index = 0; index < 7; index++) ids.add((await stored({ name: 'Same Name', tags: ['tie-test'] })).id);
    const seen: string[] = [];
    let after;
    do {
      const page = await repository.list({ sort: 'name', limit: 3, tagsAny: ['tie-test'] as never, after });
      seen.push(...page.customers.map((customer) => customer.id));
      after = page.next ?? undefined;
    } while (after);
    expect(seen.sort()).toEqual([...ids].sort());
  });
});

function newCustomerEventShape(customer: Customer) {
  return {
    eventId: expect.any(String),
    type: 'CustomerCreated',
    eventVersion: 1,
    aggregateType: 'customer',
    aggregateId: customer.id,
    aggregateVersion: 1,
    occurredAt: customer.createdAt,
    actor: 'contract-test',
    data: { customer: expect.objectContaining({ id: customer.id, email: customer.email, tags: customer.tags, deleted_at: null }) },
  };
}
