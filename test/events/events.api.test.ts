import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox } from '../../functions/events/outbox.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { ADMIN_ID, BASE, claimsFor, createApiHarness, newCustomerBody, steppingClock, type ApiHarness } from '../support/api-harness.js';

describe.each(availableDialects())('GET /events on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let customerId: string;
  let eventIds: string[];
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-11-26T10:00:00.000Z'));
    const created = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ email: 'feed@example.com' }) });
    customerId = created.body.data.id;
    await api.call({ method: 'POST', path: `${BASE}/customers/${customerId}/qualify` });
    await api.call({ method: 'PUT', path: `${BASE}/customers/${customerId}/tier`, body: { tier: 'pro' } });
    const history = await api.call({ method: 'GET', path: `${BASE}/customers/${customerId}/history` });
    eventIds = history.body.data.map((event: { event_id: string }) => event.event_id);
  });
  afterAll(() => database.close());

  it('lists the envelopes in log order with their delivery state', async () => {
    const response = await api.call({ method: 'GET', path: `${BASE}/events` });

    expect(response.status).toBe(200);
    expect(response.body.pagination).toEqual({ limit: 20, next_cursor: null });
    expect(response.body.data).toHaveLength(3);
    expect(response.body.data[1]).toEqual({
      event_id: eventIds[1],
      event_type: 'CustomerQualified',
      event_version: 1,
      occurred_at: '2026-11-26T10:00:01.000Z',
      customer_id: customerId,
      customer_version: 2,
      actor: ADMIN_ID,
      data: { changes: { status: { from: 'lead', to: 'prospect' } } },
      delivery: { published_at: null, publish_attempts: 0, last_error: null, parked_at: null },
    });
  });

  it('pages with limit and next_cursor, continuing with ?after=', async () => {
    const first = await api.call({ method: 'GET', path: `${BASE}/events?limit=2` });
    const second = await api.call({ method: 'GET', path: `${BASE}/events?limit=2&after=${first.body.pagination.next_cursor}` });
    const caughtUp = await api.call({ method: 'GET', path: `${BASE}/events?after=${eventIds[2]}` });

    expect(first.body.data.map((event: { event_id: string }) => event.event_id)).toEqual(eventIds.slice(0, 2));
    expect(first.body.pagination).toEqual({ limit: 2, next_cursor: eventIds[1] });
    expect(second.body.data.map((event: { event_id: string }) => event.event_id)).toEqual(eventIds.slice(2));
    expect(second.body.pagination.next_cursor).toBeNull();
    expect(caughtUp.status).toBe(200);
    expect(caughtUp.body.data).toEqual([]);
  });

  it('shows delivery progress and filters by state', async () => {
    const outbox = createOutbox(database.db);
    const now = new Date('2026-11-26T11:00:00.000Z');
    await outbox.markPublished([eventIds[0]!], now);
    await outbox.recordFailures([{ eventId: eventIds[1]!, error: 'ContractViolation: broken', kind: 'poison' }], 5, now);

    const parked = await api.call({ method: 'GET', path: `${BASE}/events?state=parked` });
    const published = await api.call({ method: 'GET', path: `${BASE}/events?state=published` });
    const pending = await api.call({ method: 'GET', path: `${BASE}/events?state=pending` });

    expect(parked.body.data.map((event: { event_id: string; delivery: unknown }) => [event.event_id, event.delivery])).toEqual([
      [
        eventIds[1],
        { published_at: null, publish_attempts: 1, last_error: 'ContractViolation: broken', parked_at: '2026-11-26T11:00:00.000Z' },
      ],
    ]);
    expect(published.body.data.map((event: { delivery: unknown }) => event.delivery)).toEqual([
      { published_at: '2026-11-26T11:00:00.000Z', publish_attempts: 0, last_error: null, parked_at: null },
    ]);
    expect(pending.body.data.map((event: { event_id: string }) => event.event_id)).toEqual([eventIds[2]]);
  });

  it('rejects an unknown or malformed after, and bad parameters', async () => {
    const unknown = randomUUID();
    const notInLog = await api.call({ method: 'GET', path: `${BASE}/events?after=${unknown}` });
    const malformed = await api.call({ method: 'GET', path: `${BASE}/events?after=nope&limit=0&state=lost&since=1` });

    expect(notInLog.status).toBe(400);
    expect(notInLog.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'after', message: `no event ${unknown} is in the log` }] },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.fields.map((field: { field: string }) => field.field).sort()).toEqual([
      'after',
      'limit',
      'since',
      'state',
    ]);
  });

  it('filters by stream: one aggregate type, or one aggregate instance', async () => {
    const other = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() });
    const otherId = other.body.data.id as string;
    const ofType = await api.call({ method: 'GET', path: `${BASE}/events?aggregate_type=customer&limit=100` });
    const ofOne = await api.call({ method: 'GET', path: `${BASE}/events?aggregate_type=customer&aggregate_id=${customerId}` });
    const ofOther = await api.call({ method: 'GET', path: `${BASE}/events?aggregate_id=${otherId}` });
    const unknownType = await api.call({ method: 'GET', path: `${BASE}/events?aggregate_type=spaceship` });

    expect(ofType.body.data.map((event: { customer_id: string }) => event.customer_id)).toEqual([
      customerId,
      customerId,
      customerId,
      otherId,
    ]);
    expect(ofOne.body.data.map((event: { event_id: string }) => event.event_id)).toEqual(eventIds);
    expect(ofOther.body.data.map((event: { event_type: string }) => event.event_type)).toEqual(['CustomerCreated']);
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.error.details.fields).toEqual([
      {
        field: 'aggregate_type',
        message: 'must be one of customer, company, pipeline, deal, interaction, customer_insight, customer_export',
      },
    ]);
  });

  it('is for admins only', async () => {
    for (const role of ['manager', 'sales_rep', 'service', 'viewer']) {
      const response = await api.call({ method: 'GET', path: `${BASE}/events`, claims: claimsFor([role], randomUUID()) });
      expect(response.status, role).toBe(403);
      expect(response.body.error.details.required_permission).toBe('events:read');
    }
    expect((await api.call({ method: 'GET', path: `${BASE}/events`, claims: null })).status).toBe(401);
  });
});
