import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param } from '../../functions/db/sql-values.js';
import { createEventConsumer, type EventConsumer } from '../../functions/integration/event-consumer.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';
import { aCompany } from '../support/company-fixtures.js';

const identity = (type: string, detail: unknown, id = randomUUID()) => ({
  id,
  source: 'identity',
  'detail-type': type,
  time: '2026-01-01T00:00:00Z',
  detail,
});
const order = (type: string, detail: Record<string, unknown>, id = randomUUID()) => ({
  id,
  source: 'order-management',
  'detail-type': type,
  time: '2026-01-01T00:00:00Z',
  detail,
});
const anOrder = (customerId: string, overrides: Record<string, unknown> = {}) => ({
  order_id: randomUUID(),
  customer_id: customerId,
  total_minor: 2599,
  currency: 'EUR',
  placed_at: '2026-02-01T12:00:00Z',
  ...overrides,
});

describe.each(availableDialects())('incoming events on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let consume: EventConsumer;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    consume = createEventConsumer(database.db);
  });
  afterAll(() => database.close());

  const customer = async (id: string) => (await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data;
  const historyTypes = async (id: string) =>
    (await api.call({ method: 'GET', path: `${BASE}/customers/${id}/history` })).body.data.map(
      (event: { event_type: string }) => event.event_type,
    );
  const deadLetters = (eventId: string) =>
    database.db.selectFrom('customer_mgmt_dead_letters').select(['reason', 'detail_type']).where('event_id', '=', eventId).execute();
  const create = async (overrides: Record<string, unknown> = {}) =>
    (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody(overrides) })).body.data.id as string;

  describe('Identity', () => {
    it('UserRegistered creates a B2C lead from signup, once however often it is delivered', async () => {
      const userId = randomUUID();
      const event = identity('UserRegistered', {
        user_id: userId,
        email: 'New.User@Example.com',
        name: ' New User ',
        registered_at: '2026-01-01T00:00:00Z',
      });
      const first = await consume(event);
      expect(first).toMatchObject({
        outcome: 'applied',
        event_id: event.id,
        detail_type: 'UserRegistered',
        result: expect.stringMatching(/^created lead /),
      });
      expect(await consume(event)).toEqual({ outcome: 'duplicate', event_id: event.id, detail_type: 'UserRegistered' });
      const found = await api.call({ method: 'GET', path: `${BASE}/customers/email/new.user@example.com` });
      expect(found.body.data).toMatchObject({ name: 'New User', user_id: userId, source: 'signup', status: 'lead' });
      const history = (await api.call({ method: 'GET', path: `${BASE}/customers/${found.body.data.id}/history` })).body.data;
      expect(history.map((entry: { actor: string }) => entry.actor)).toEqual(['service:identity']);
    });

    it('UserRegistered links an existing customer with that email, and parks a conflict with a company contact', async () => {
      const id = await create({ email: 'known@example.com' });
      const userId = randomUUID();
      expect(
        await consume(
          identity('UserRegistered', { user_id: userId, email: 'KNOWN@example.com', name: 'Known', registered_at: '2026-01-01T00:00:00Z' }),
        ),
      ).toMatchObject({
        outcome: 'applied',
        result: `linked to existing customer ${id}`,
      });
      expect((await customer(id)).user_id).toBe(userId);

      const b2b = await create({ email: 'b2b@example.com', company_id: await aCompany(database.db) });
      const conflict = identity('UserRegistered', {
        user_id: randomUUID(),
        email: 'b2b@example.com',
        name: 'B2B',
        registered_at: '2026-01-01T00:00:00Z',
      });
      expect(await consume(conflict)).toMatchObject({
        outcome: 'dead_lettered',
        reason: expect.stringContaining('CUSTOMER.ACCOUNT_TYPE_CONFLICT'),
      });
      expect(await deadLetters(conflict.id)).toEqual([
        { reason: expect.stringContaining('ACCOUNT_TYPE_CONFLICT'), detail_type: 'UserRegistered' },
      ]);
      expect((await customer(b2b)).user_id).toBeNull();
      // a parked event is not parked twice when redelivered
      expect(await consume(conflict)).toMatchObject({ outcome: 'duplicate' });
      expect(await deadLetters(conflict.id)).toHaveLength(1);
    });

    it('UserEmailChanged updates the email, and parks one that another customer has', async () => {
      const userId = randomUUID();
      await consume(
        identity('UserRegistered', { user_id: userId, email: 'before@example.com', name: 'Mover', registered_at: '2026-01-01T00:00:00Z' }),
      );
      await consume(identity('UserEmailChanged', { user_id: userId, email: 'after@example.com' }));
      const moved = (await api.call({ method: 'GET', path: `${BASE}/customers/email/after@example.com` })).body.data;
      expect(moved.user_id).toBe(userId);
      await create({ email: 'occupied@example.com' });
      const clash = identity('UserEmailChanged', { user_id: userId, email: 'occupied@example.com' });
      expect(await consume(clash)).toMatchObject({ outcome: 'dead_lettered', reason: expect.stringContaining('CUSTOMER.EMAIL_TAKEN') });
      expect((await customer(moved.id)).email).toBe('after@example.com');
    });

    it('keeps the sales-rep directory: assign needs an active rep', async () => {
      const rep = randomUUID();
      const id = await create();
      const assign = () => api.call({ method: 'PUT', path: `${BASE}/customers/${id}/assign`, body: { assigned_to: rep } });
      const unknown = await assign();
      expect(unknown.status).toBe(422);
      expect(unknown.body.error).toMatchObject({ code: 'CUSTOMER.UNKNOWN_SALES_REP', details: { assigned_to: rep } });
      await consume(identity('UserRoleGranted', { user_id: rep, role: 'sales_rep', name: 'Rita Rep' }));
      expect((await assign()).status).toBe(200);
      await consume(identity('UserDeactivated', { user_id: rep }));
      const other = await create();
      const deactivated = await api.call({ method: 'PUT', path: `${BASE}/customers/${other}/assign`, body: { assigned_to: rep } });
      expect(deactivated.status).toBe(422);
      expect(await consume(identity('UserRoleGranted', { user_id: rep, role: 'viewer' }))).toMatchObject({
        result: 'role viewer is not tracked',
      });
    });
  });

  describe('Order Management', () => {
    it('records placed orders in the purchase history and summary per currency', async () => {
      const id = await create();
      const first = anOrder(id, { total_minor: 1000, placed_at: '2026-02-01T10:00:00Z' });
      const second = anOrder(id, { total_minor: 250, currency: 'USD', placed_at: '2026-03-01T10:00:00Z' });
      expect(await consume(order('OrderPlaced', first))).toMatchObject({ outcome: 'applied', result: 'order placed' });
      await consume(order('OrderPlaced', second));
      expect((await customer(id)).purchase_summary).toEqual({
        orders_count: 2,
        total_spent_minor: { EUR: 1000, USD: 250 },
        first_order_at: '2026-02-01T10:00:00.000Z',
        last_order_at: '2026-03-01T10:00:00.000Z',
      });
      const purchases = await api.call({ method: 'GET', path: `${BASE}/customers/${id}/purchases` });
      expect(purchases.body.data).toEqual([
        { order_id: second.order_id, state: 'placed', total_minor: 250, currency: 'USD', placed_at: '2026-03-01T10:00:00.000Z' },
        { order_id: first.order_id, state: 'placed', total_minor: 1000, currency: 'EUR', placed_at: '2026-02-01T10:00:00.000Z' },
      ]);
      expect((await customer(id)).status).toBe('lead');
    });

    it('a completed order makes a lead a customer through qualify and convert', async () => {
      const id = await create();
      const placed = anOrder(id);
      await consume(order('OrderPlaced', placed));
      expect(await consume(order('OrderCompleted', placed))).toMatchObject({
        result: 'order completed; customer moved by qualify, convert',
      });
      expect((await customer(id)).status).toBe('customer');
      expect(await historyTypes(id)).toEqual(['CustomerCreated', 'CustomerQualified', 'CustomerConverted']);
    });

    it('a churned customer who orders again is reactivated then converted', async () => {
      const id = await create();
      for (const command of ['qualify', 'convert', 'churn']) await api.call({ method: 'POST', path: `${BASE}/customers/${id}/${command}` });
      await consume(order('OrderCompleted', anOrder(id)));
      expect((await customer(id)).status).toBe('customer');
      expect((await historyTypes(id)).slice(-2)).toEqual(['CustomerReactivated', 'CustomerConverted']);
    });

    it('applies out-of-order and duplicate deliveries once, never moving an order backwards', async () => {
      const id = await create();
      const theOrder = anOrder(id, { total_minor: 500 });
      const completed = order('OrderCompleted', theOrder);
      await consume(completed);
      await consume(completed);
      expect(await consume(order('OrderPlaced', theOrder))).toMatchObject({ result: 'order already completed' });
      expect((await customer(id)).purchase_summary).toMatchObject({ orders_count: 1, total_spent_minor: { EUR: 500 } });
      await consume(order('OrderRefunded', theOrder));
      expect((await customer(id)).purchase_summary).toMatchObject({ orders_count: 0, total_spent_minor: {} });
      expect(await historyTypes(id)).toEqual(['CustomerCreated', 'CustomerQualified', 'CustomerConverted']);
    });

    it('concurrent deliveries of different orders for one customer all count', async () => {
      const id = await create();
      const orders = Array.from({ length: 8 }, () => anOrder(id, { total_minor: 100 }));
      const outcomes = await Promise.all(
        orders.flatMap((detail) => [consume(order('OrderPlaced', detail)), consume(order('OrderPlaced', detail))]),
      );
      expect(outcomes.filter((outcome) => outcome.outcome === 'applied')).toHaveLength(16);
      expect((await customer(id)).purchase_summary).toMatchObject({ orders_count: 8, total_spent_minor: { EUR: 800 } });
    });

    it('parks hostile and impossible events whole, applying nothing of them', async () => {
      const id = await create();
      const before = await customer(id);
      const hostile = [
        order('OrderPlaced', anOrder(id, { total_minor: -5 })),
        order('OrderPlaced', anOrder(id, { currency: 'XXX' })),
        order('OrderPlaced', anOrder(id, { total_minor: '100; drop table customer_mgmt_purchases' })),
        order('OrderPlaced', anOrder(randomUUID())),
        order('OrderShipped', anOrder(id)),
        {
          id: randomUUID(),
          source: 'order-management',
          'detail-type': 'OrderPlaced',
          detail: { __proto__: { polluted: true }, ...anOrder(id), customer_id: 'not-a-uuid' },
        },
        { not: 'an event' },
      ];
      for (const event of hostile) expect(await consume(event)).toMatchObject({ outcome: 'dead_lettered', reason: expect.any(String) });
      expect(await customer(id)).toEqual(before);
      const purchases = await database.db
        .selectFrom('customer_mgmt_purchases')
        .select('order_id')
        .where('customer_id', '=', param.uuid(id))
        .execute();
      expect(purchases).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});

// AWS lists "transaction aborted by an error from a previous call" among Data API failures, and
// whether a savepoint rolls such an error back there is unverified. So on the Data API path no
// statement inside a consumer's transaction may fail on an expected conflict: the conflict is
// detected by the statement itself (ON CONFLICT DO NOTHING, existence checks), not by an error.
describe('expected conflicts inside a consumer transaction on the Data API path', () => {
  let database: TestDatabase;
  let api: ApiHarness;
  let consume: EventConsumer;
  beforeAll(async () => {
    database = await openTestDatabase('data-api');
    api = createApiHarness(database.db);
    consume = createEventConsumer(database.db);
  });
  afterAll(() => database.close());
  const create = async (overrides: Record<string, unknown> = {}) =>
    (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody(overrides) })).body.data.id as string;

  it('UserEmailChanged to a taken email is dead-lettered without any statement failing', async () => {
    const userId = randomUUID();
    await consume(
      identity('UserRegistered', { user_id: userId, email: 'first@example.com', name: 'A', registered_at: '2026-01-01T00:00:00Z' }),
    );
    await create({ email: 'taken@example.com' });
    database.endpoint!.resetCallCount();

    const outcome = await consume(identity('UserEmailChanged', { user_id: userId, email: 'taken@example.com' }));

    expect(outcome).toMatchObject({ outcome: 'dead_lettered', reason: expect.stringContaining('CUSTOMER.EMAIL_TAKEN') });
    expect(database.endpoint!.failedCalls()).toEqual({});
  });

  it('an insert that meets a taken email or user inside a transaction reports the conflict and the transaction goes on', async () => {
    const userId = randomUUID();
    await consume(
      identity('UserRegistered', { user_id: userId, email: 'owner@example.com', name: 'Owner', registered_at: '2026-01-01T00:00:00Z' }),
    );
    const { createCustomerRepository } = await import('../../functions/customers/customer-repository.js');
    const { createCustomer } = await import('../../domain/customer/create-customer.js');
    database.endpoint!.resetCallCount();

    const outcomes = await database.db.transaction().execute(async (trx) => {
      const repository = createCustomerRepository(trx);
      const results = [];
      for (const [email, user] of [
        ['OWNER@example.com', null],
        ['someone.else@example.com', userId],
      ] as const) {
        const made = createCustomer(
          { name: 'Racer', email, userId: user ?? undefined },
          { customerId: randomUUID(), eventId: randomUUID(), now: '2026-01-02T00:00:00.000Z', actor: 'service:identity' },
        );
        if (!made.ok) throw new Error(JSON.stringify(made.error));
        results.push(await repository.insert(made.value.customer, made.value.event));
      }
      await sql`select 1`.execute(trx);
      return results;
    });

    expect(outcomes).toEqual([
      { kind: 'conflict', field: 'email' },
      { kind: 'conflict', field: 'user_id' },
    ]);
    expect(database.endpoint!.failedCalls()).toEqual({});
  });
});
