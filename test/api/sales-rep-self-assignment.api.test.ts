import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

/**
 * A sales rep may make only themselves the assignee of a customer or the owner of a company or a
 * deal, on create and on the assign routes: the exact 403 of each object (one rule, functions/auth/access.ts).
 */
describe.each(availableDialects())('a sales rep assigns only to themselves, on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const REP = randomUUID();
  const OTHER_REP = randomUUID();
  const rep = claimsFor(['sales_rep'], REP);
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-04-04T09:00:00.000Z'));
    await api.registerSalesRep(REP);
    await api.registerSalesRep(OTHER_REP);
  });
  afterAll(() => database.close());

  const call = (method: string, path: string, body: unknown) => api.call({ method, path: `${BASE}${path}`, body, claims: rep });
  const refusal = (field: string, message: string) => ({
    status: 'error',
    error: { code: 'FORBIDDEN', message, details: { field, allowed_value: REP }, request_id: expect.any(String) },
  });

  it('customers: assigned_to on create and on PUT /customers/{id}/assign', async () => {
    const t = randomUUID().slice(0, 8);
    const expected = refusal('assigned_to', 'Sales reps can assign customers only to themselves.');
    const created = await call('POST', '/customers', { name: 'Gift', email: `gift.${t}@example.com`, assigned_to: OTHER_REP });
    expect([created.status, created.body]).toEqual([403, expected]);
    const own = await call('POST', '/customers', { name: 'Own', email: `own.${t}@example.com` });
    expect(own.body.data.assigned_to).toBe(REP);
    for (const assigned_to of [OTHER_REP, null]) {
      const assigned = await call('PUT', `/customers/${own.body.data.id}/assign`, { assigned_to });
      expect([assigned.status, assigned.body]).toEqual([403, expected]);
    }
    expect((await call('PUT', `/customers/${own.body.data.id}/assign`, { assigned_to: REP })).status).toBe(200);
  });

  it('companies: owner_id on create and on PUT /companies/{id}/assign', async () => {
    const expected = refusal('owner_id', 'Sales reps can make only themselves the owner of a company.');
    const created = await call('POST', '/companies', { name: 'Gift Ltd', owner_id: OTHER_REP });
    expect([created.status, created.body]).toEqual([403, expected]);
    const own = await call('POST', '/companies', { name: 'Own Ltd' });
    expect(own.body.data.owner_id).toBe(REP);
    for (const owner_id of [OTHER_REP, null]) {
      const assigned = await call('PUT', `/companies/${own.body.data.id}/assign`, { owner_id });
      expect([assigned.status, assigned.body]).toEqual([403, expected]);
    }
  });

  it('deals: owner_id on create and on PUT /deals/{id}/assign', async () => {
    const t = randomUUID().slice(0, 8);
    const expected = refusal('owner_id', 'Sales reps can give deals only to themselves.');
    const customer = (await call('POST', '/customers', { name: 'Buyer', email: `buyer.${t}@example.com` })).body.data.id;
    const created = await call('POST', '/deals', { name: 'Gift deal', primary_customer_id: customer, owner_id: OTHER_REP });
    expect([created.status, created.body]).toEqual([403, expected]);
    const own = await call('POST', '/deals', { name: 'Own deal', primary_customer_id: customer });
    expect(own.body.data.owner_id).toBe(REP);
    for (const owner_id of [OTHER_REP, null]) {
      const assigned = await call('PUT', `/deals/${own.body.data.id}/assign`, { owner_id });
      expect([assigned.status, assigned.body]).toEqual([403, expected]);
    }
  });
});
