import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param } from '../../functions/db/sql-values.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

const statusCounts = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});

describe.each(availableDialects())('concurrent requests on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
  });
  afterAll(() => database.close());

  const create = async (body = newCustomerBody()) =>
    (await api.call({ method: 'POST', path: `${BASE}/customers`, body })).body.data.id as string;
  const eventsOf = (id: string) =>
    database.db
      .selectFrom('customer_mgmt_events')
      .select(['event_type', 'aggregate_version'])
      .where('aggregate_type', '=', 'customer')
      .where('aggregate_id', '=', param.uuid(id))
      .orderBy('aggregate_version')
      .execute();

  it('of 10 concurrent qualifies on one lead exactly one succeeds and nine get 409', async () => {
    const id = await create();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => api.call({ method: 'POST', path: `${BASE}/customers/${id}/qualify` })),
    );
    expect(statusCounts(responses.map((response) => response.status))).toEqual({ 200: 1, 409: 9 });
    expect(new Set(responses.filter((r) => r.status === 409).map((r) => r.body.error.code))).toEqual(
      new Set(['CUSTOMER.INVALID_TRANSITION']),
    );
    expect((await eventsOf(id)).map((event) => event.event_type)).toEqual(['CustomerCreated', 'CustomerQualified']);
  });

  it('of 10 concurrent creates with one email in different cases exactly one gets 201', async () => {
    const cases = ['race@example.com', 'RACE@example.com', 'Race@Example.com', 'race@EXAMPLE.COM', 'rAcE@example.com'];
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ email: cases[index % cases.length] }) }),
      ),
    );
    expect(statusCounts(responses.map((response) => response.status))).toEqual({ 201: 1, 409: 9 });
    const winner = responses.find((response) => response.status === 201)!.body.data.id;
    for (const loser of responses.filter((response) => response.status === 409)) {
      expect(loser.body.error).toMatchObject({ code: 'CUSTOMER.EMAIL_TAKEN', details: { existing_customer_id: winner } });
    }
    const rows = await database.db.selectFrom('customer_mgmt_customers').select('id').where('email', '=', 'race@example.com').execute();
    expect(rows).toEqual([{ id: winner }]);
  });

  it('concurrent different changes to one customer are all kept, each with its own event and version', async () => {
    const id = await create();
    const tiers = ['basic', 'pro', 'enterprise', 'free', 'basic', 'pro'];
    const responses = await Promise.all([
      ...tiers.map((tier) => api.call({ method: 'PUT', path: `${BASE}/customers/${id}/tier`, body: { tier } })),
      ...Array.from({ length: 6 }, (_, index) =>
        api.call({ method: 'PUT', path: `${BASE}/customers/${id}/tags`, body: { tags: [`t${index}`] } }),
      ),
      ...Array.from({ length: 6 }, (_, index) =>
        api.call({ method: 'PUT', path: `${BASE}/customers/${id}`, body: { name: `Name ${index}` } }),
      ),
    ]);
    expect(responses.every((response) => response.status === 200)).toBe(true);
    const events = await eventsOf(id);
    const final = (await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data;
    // Versions are gapless 1..n and the customer's version is the last event's.
    expect(events.map((event) => event.aggregate_version)).toEqual(Array.from({ length: events.length }, (_, index) => index + 1));
    expect(final.version).toBe(events.length);
    // Every event changed something: a tier change equal to the current tier is a no-op with no event.
    expect(events.filter((event) => event.event_type === 'CustomerTagsChanged').length).toBeGreaterThanOrEqual(5);
    expect(events.filter((event) => event.event_type === 'CustomerUpdated').length).toBeGreaterThanOrEqual(5);
  });

  it('a delete racing with a transition leaves either both or only the delete, never a change after deletion', async () => {
    const id = await create();
    const [deleted, qualified] = await Promise.all([
      api.call({ method: 'DELETE', path: `${BASE}/customers/${id}` }),
      api.call({ method: 'POST', path: `${BASE}/customers/${id}/qualify` }),
    ]);
    expect(deleted.status).toBe(204);
    const events = (await eventsOf(id)).map((event) => event.event_type);
    expect(events.at(-1)).toBe('CustomerDeleted');
    expect(events).toEqual(
      qualified.status === 200 ? ['CustomerCreated', 'CustomerQualified', 'CustomerDeleted'] : ['CustomerCreated', 'CustomerDeleted'],
    );
    if (qualified.status !== 200) expect(qualified.status).toBe(404);
  });
});
