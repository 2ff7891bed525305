import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param } from '../../functions/db/sql-values.js';
import { createEventConsumer, SUBSCRIBED_CONTRACTS, type EventConsumer } from '../../functions/integration/event-consumer.js';
import { EventBridgeEnvelope } from '../../functions/integration/incoming-events.js';
import { BASE, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';
import { BAD_DATES, UNCLEAN_TEXT } from '../support/hostile-values.js';
import { sample, stringSites, withValueAt } from '../support/schema-sites.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const nested = (depth: number, leaf: unknown, wrap: (inner: unknown) => unknown) => {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = wrap(value);
  return value;
};

/**
 * Generated from the incoming-event contracts: every string field of every event we consume (and
 * of the EventBridge envelope) gets every unclean value, every timestamp every impossible date.
 * Each event must be dead-lettered — stored with a reason naming the field — never thrown (a
 * thrown event is retried until it lands in the SQS DLQ) and never half-applied.
 */
describe.each(availableDialects())('hostile incoming events on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let consume: EventConsumer;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    consume = createEventConsumer(database.db);
  });
  afterAll(() => database.close());

  const state = async () =>
    (
      await sql<Record<string, string>>`select
        (select count(*) from customer_mgmt_customers) as customers,
        (select coalesce(sum(version), 0) from customer_mgmt_customers) as versions,
        (select count(*) from customer_mgmt_events) as events,
        (select count(*) from customer_mgmt_purchases) as purchases,
        (select count(*) from customer_mgmt_sales_reps) as sales_reps,
        (select coalesce(sum(orders_count), 0) from customer_mgmt_customers) as orders`.execute(database.db)
    ).rows[0];
  const deadLetters = async (eventId: string) =>
    database.db.selectFrom('customer_mgmt_dead_letters').select(['reason', 'payload']).where('event_id', '=', eventId).execute();

  async function expectDeadLettered(event: Record<string, unknown>, field: string, where: string) {
    const before = await state();
    const outcome = await consume(event);
    expect(outcome, where).toMatchObject({ outcome: 'dead_lettered', reason: expect.stringContaining(`${field}: `) });
    expect(await state(), where).toEqual(before);
  }

  const sites = SUBSCRIBED_CONTRACTS.flatMap((contract) =>
    stringSites(contract.schema).map((site) => ({ ...contract, site, base: sample(contract.schema) })),
  );
  const envelopeOf = (source: string, detailType: string, detail: unknown) => ({
    id: randomUUID(),
    source,
    'detail-type': detailType,
    time: '2026-01-01T00:00:00Z',
    detail,
  });

  it('walks every contract', () => {
    const fields = sites.map(({ detailType, site }) => `${detailType}.${site.field}`);
    expect(fields).toEqual(expect.arrayContaining(['UserRegistered.name', 'UserRoleGranted.name', 'OrderPlaced.placed_at']));
    expect(sites.filter(({ site }) => site.kind === 'timestamp').length).toBeGreaterThanOrEqual(5);
  });

  it('dead-letters unclean text in any field of any event, applying nothing', async () => {
    for (const { source, detailType, site, base } of sites) {
      for (const [label, value] of UNCLEAN_TEXT) {
        const event = envelopeOf(source, detailType, withValueAt(base, site.path, value));
        await expectDeadLettered(event, site.field, `${label} in ${detailType}.${site.field}`);
        const [parked] = await deadLetters(event.id);
        expect(parked, `${label} in ${detailType}.${site.field}`).toBeDefined();
      }
    }
  }, 180_000);

  it('dead-letters impossible dates in every timestamp', async () => {
    for (const { source, detailType, site, base } of sites.filter(({ site }) => site.kind === 'timestamp')) {
      for (const value of BAD_DATES) {
        await expectDeadLettered(
          envelopeOf(source, detailType, withValueAt(base, site.path, value)),
          site.field,
          `${value} in ${detailType}`,
        );
      }
    }
  }, 180_000);

  it('dead-letters an envelope with unclean text, keeping what can be kept of it', async () => {
    const [contract] = SUBSCRIBED_CONTRACTS;
    for (const site of stringSites(EventBridgeEnvelope)) {
      if (site.field === 'detail') continue;
      for (const [label, value] of UNCLEAN_TEXT) {
        const event = withValueAt(envelopeOf(contract!.source, contract!.detailType, sample(contract!.schema)), site.path, value);
        await expectDeadLettered(event as Record<string, unknown>, site.field, `${label} in envelope.${site.field}`);
      }
    }
    const parked = await database.db
      .selectFrom('customer_mgmt_dead_letters')
      .select(['event_id', 'reason'])
      .where('reason', 'like', 'not an EventBridge event: id:%')
      .execute();
    expect(parked.length).toBeGreaterThan(0);
    expect(parked.some((row) => row.event_id?.includes('\ufffd'))).toBe(true);
  }, 180_000);

  it('dead-letters a detail nested 5,000 levels deep (objects, arrays, or inside a valid detail)', async () => {
    const userId = randomUUID();
    for (const [name, detail] of [
      ['objects', nested(5000, 1, (inner) => ({ a: inner }))],
      ['arrays', nested(5000, 1, (inner) => [inner])],
      ['a field of a valid detail', { user_id: userId, extra: nested(5000, 'x', (inner) => ({ b: inner })) }],
    ] as const) {
      const event = envelopeOf('identity', 'UserDeactivated', detail);
      const before = await state();
      expect(await consume(event), name).toMatchObject({ outcome: 'dead_lettered', reason: expect.stringContaining('nested deeper than') });
      expect(await state(), name).toEqual(before);
      const [parked] = await deadLetters(event.id);
      expect(JSON.stringify(parked!.payload), name).toContain('not stored');
    }
  });

  describe('money beyond 2^53 minor units', () => {
    const orderOf = (customerId: string, totalMinor: number) => ({
      order_id: randomUUID(),
      customer_id: customerId,
      total_minor: totalMinor,
      currency: 'EUR',
      placed_at: '2026-02-01T12:00:00Z',
    });

    it('refuses an order that would take a total past what is held exactly, and keeps the total exact', async () => {
      const customerId = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id as string;
      const big = orderOf(customerId, Number.MAX_SAFE_INTEGER - 1);
      expect(await consume(envelopeOf('order-management', 'OrderPlaced', big))).toMatchObject({ outcome: 'applied' });
      expect(await consume(envelopeOf('order-management', 'OrderPlaced', orderOf(customerId, 1)))).toMatchObject({ outcome: 'applied' });
      const overflow = orderOf(customerId, 1);
      expect(await consume(envelopeOf('order-management', 'OrderPlaced', overflow))).toMatchObject({
        outcome: 'dead_lettered',
        reason: expect.stringContaining('would exceed 9007199254740991 minor units'),
      });
      const read = await api.call({ method: 'GET', path: `${BASE}/customers/${customerId}` });
      expect(read.body.data.purchase_summary).toMatchObject({ orders_count: 2, total_spent_minor: { EUR: Number.MAX_SAFE_INTEGER } });
      const stored = await database.db
        .selectFrom('customer_mgmt_customers')
        .select(sql<string>`total_spent->>'EUR'`.as('eur'))
        .where('id', '=', param.uuid(customerId))
        .executeTakeFirstOrThrow();
      expect(stored.eur).toBe('9007199254740991');
      const purchases = await database.db
        .selectFrom('customer_mgmt_purchases')
        .select('order_id')
        .where('order_id', '=', param.uuid(overflow.order_id))
        .execute();
      expect(purchases).toEqual([]);
      // Once a refund makes room, orders count again.
      expect(await consume(envelopeOf('order-management', 'OrderRefunded', big))).toMatchObject({ outcome: 'applied' });
      expect(await consume(envelopeOf('order-management', 'OrderPlaced', orderOf(customerId, 5)))).toMatchObject({ outcome: 'applied' });
      const after = await api.call({ method: 'GET', path: `${BASE}/customers/${customerId}` });
      expect(after.body.data.purchase_summary).toMatchObject({ orders_count: 2, total_spent_minor: { EUR: 6 } });
    });
  });
});
