import { randomUUID } from 'node:crypto';
import { createCustomer } from '../../domain/customer/create-customer.js';
import * as commands from '../../domain/customer/customer-commands.js';
import { CUSTOMER_KIND, type CustomerChange } from '../../domain/customer/customer-change.js';
import type { Result } from '../../domain/shared/result.js';
import { createCustomerRepository } from '../../functions/customers/customer-repository.js';
import { createSalesRepDirectory } from '../../functions/sales-reps/sales-rep-directory.js';
import { describeChangeContract } from '../support/change-contract.js';
import { aCompany } from '../support/company-fixtures.js';

/** A live company in every test database, for the change that makes a customer its contact. */
const COMPANY_ID = randomUUID();

function valid(change: Result<CustomerChange, unknown>): CustomerChange {
  if (!change.ok) throw new Error(`command refused: ${JSON.stringify(change.error)}`);
  return change.value;
}

/** Assignees come from the sales-rep directory (the write statement checks it). */
const REPS = [randomUUID(), randomUUID(), randomUUID()];

describeChangeContract({
  aggregate: 'Customer',
  kind: CUSTOMER_KIND,
  repository: async (db) => {
    const directory = createSalesRepDirectory(db);
    for (const rep of REPS) await directory.upsert({ userId: rep, active: true, at: '2025-01-01T00:00:00.000Z' });
    await aCompany(db, 'Contract Company', COMPANY_ID);
    return createCustomerRepository(db);
  },
  create: ({ id, ...context }) => {
    const created = createCustomer(
      { name: 'Grace Hopper', email: `grace.${randomUUID().slice(0, 8)}@example.com`, tags: ['x', 'y'] },
      {
        ...context,
        customerId: id,
      },
    );
    return created.ok ? { ok: true, value: { entity: created.value.customer, event: created.value.event } } : created;
  },
  steps: [
    { name: 'qualify', build: (now) => commands.transition('qualify', now) },
    { name: 'convert', build: (now) => commands.transition('convert', now) },
    { name: 'churn', build: (now) => commands.transition('churn', now, { reason: 'budget' }) },
    { name: 'reactivate', build: (now) => commands.transition('reactivate', now) },
    { name: 'assign', build: (_now, current) => commands.assign(REPS.find((rep) => rep !== current.assignedTo)!) },
    { name: 'unassign', build: () => commands.assign(null) },
    { name: 'tier pro', build: () => commands.changeTier('pro') },
    { name: 'same tier', build: (_, current) => commands.changeTier(current.tier) },
    { name: 'tags', build: () => valid(commands.replaceTags(['b', 'a'])) },
    { name: 'same tags, other order', build: (_, current) => valid(commands.replaceTags([...current.tags].reverse())) },
    {
      name: 'details',
      build: () => valid(commands.updateDetails({ name: 'Rear Admiral Hopper', phone: '+1 415 555 2671', source: 'event' })),
    },
    { name: 'link a user (B2C)', build: () => valid(commands.updateDetails({ userId: randomUUID() })) },
    { name: 'join a company (B2B)', build: () => valid(commands.updateDetails({ companyId: COMPANY_ID })) },
    { name: 'delete', build: (now) => commands.deleteCustomer(now) },
  ],
});
