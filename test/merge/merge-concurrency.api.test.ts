import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, type ApiHarness } from '../support/api-harness.js';

const unique = () => randomUUID().slice(0, 8);
const ROUNDS = 4;

/**
 * A merge racing with writes to any of its records loses nothing (docs/merge.md): each write
 * either commits before the merge (and the merge carries it over) or comes after it and is
 * refused or applied to the survivor. Checked after each race from the stored rows themselves.
 */
describe.each(availableDialects())('merges racing with writes on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let consume: ReturnType<typeof createEventConsumer>;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    consume = createEventConsumer(database.db);
  });
  afterAll(() => database.close());

  const call = (method: string, path: string, body?: unknown) => api.call({ method, path: `${BASE}${path}`, body });
  async function customer(body: Record<string, unknown> = {}) {
    const created = await call('POST', '/customers', { name: `Person ${unique()}`, email: `p.${unique()}@example.com`, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.data as { id: string; email: string };
  }
  const merge = (survivor: string, losers: string[]) => call('POST', `/customers/${survivor}/merge`, { merge_ids: losers });
  const order = (customerId: string, total: number) => ({
    id: randomUUID(),
    source: 'order-management',
    'detail-type': 'OrderPlaced',
    detail: { order_id: randomUUID(), customer_id: customerId, total_minor: total, currency: 'EUR', placed_at: '2026-01-01T10:00:00Z' },
  });
  const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(database.db)).rows;

  /** Live customers whose stored summary is not what their orders add up to, and orders on customers that are gone. */
  async function summaryDrift(ids: string[]) {
    const list = sql.join(ids.map((id) => sql`cast(${id} as uuid)`));
    const drift = await rows(sql<{ id: string }>`
      select c.id from customer_mgmt_customers c
      where c.id in (${list}) and c.deleted_at is null
        and (c.orders_count <> (select count(*) from customer_mgmt_purchases p where p.customer_id = c.id and p.state <> 'refunded')
          or c.total_spent <> (select coalesce(jsonb_object_agg(x.currency, x.total), '{}'::jsonb) from (
            select p.currency, sum(p.total_minor) as total from customer_mgmt_purchases p
            where p.customer_id = c.id and p.state <> 'refunded' group by p.currency) x))`);
    const orphans = await rows(sql<{ order_id: string }>`
      select p.order_id from customer_mgmt_purchases p join customer_mgmt_customers c on c.id = p.customer_id
      where c.id in (${list}) and c.deleted_at is not null`);
    return { drift: drift.map((row) => row.id), orphans: orphans.map((row) => row.order_id) };
  }

  it('a loser updated during the merge: every accepted update is in the loser before it merged, or the update is refused as MERGED', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const survivor = await customer();
      const loser = await customer();
      const phone = `+4420794610${String(round).padStart(2, '0')}`;
      const [merged, phoned, tagged] = await Promise.all([
        merge(survivor.id, [loser.id]),
        call('PUT', `/customers/${loser.id}`, { phone }),
        call('PUT', `/customers/${loser.id}/tags`, { tags: [`round-${round}`] }),
      ]);
      expect(merged.status, JSON.stringify(merged.body)).toBe(200);
      for (const update of [phoned, tagged]) {
        if (update.status !== 200)
          expect(update.body.error, `round ${round}`).toMatchObject({ code: 'CUSTOMER.MERGED', details: { merged_into: survivor.id } });
      }
      const result = merged.body.data.customer;
      // An update the loser accepted was seen by the merge: the survivor had no phone and no tags of its own.
      expect(result.phone).toBe(phoned.status === 200 ? phone : null);
      expect(result.tags).toEqual(tagged.status === 200 ? [`round-${round}`] : []);
      const events = await rows(sql<{ event_type: string; aggregate_version: number }>`
        select event_type, aggregate_version from customer_mgmt_events
        where aggregate_type = 'customer' and aggregate_id = cast(${loser.id} as uuid) order by aggregate_version`);
      expect(events.at(-1)?.event_type).toBe('CustomerMergedInto');
      expect(events.map((event) => Number(event.aggregate_version))).toEqual(events.map((_, n) => n + 1));
    }
  });

  it('two merges of overlapping sets: the shared customer goes to exactly one survivor, with its orders, and nothing is left on a merged customer', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b, c, d, e] = await Promise.all([customer(), customer(), customer(), customer(), customer()]);
      for (const [person, total] of [
        [b!, 100],
        [c!, 200],
        [e!, 400],
      ] as const) {
        expect((await consume(order(person.id, total))).outcome).toBe('applied');
      }
      const [first, second, opposite] = await Promise.all([
        merge(a!.id, [b!.id, c!.id]),
        merge(d!.id, [c!.id, e!.id]),
        merge(c!.id, [a!.id]),
      ]);
      const statuses = [first.status, second.status, opposite.status];
      expect(
        statuses.every((status) => status === 200 || status === 404),
        JSON.stringify([first.body, second.body, opposite.body]),
      ).toBe(true);
      expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
      for (const refused of [first, second, opposite].filter((response) => response.status === 404)) {
        expect(refused.body.error.code).toBe('CUSTOMER.MERGED');
      }
      const ids = [a!, b!, c!, d!, e!].map((person) => person.id);
      expect(await summaryDrift(ids)).toEqual({ drift: [], orphans: [] });
      const live = await rows(sql<{ total: number | string }>`
        select coalesce(sum(orders_count), 0) as total from customer_mgmt_customers
        where id in (${sql.join(ids.map((id) => sql`cast(${id} as uuid)`))}) and deleted_at is null`);
      expect(Number(live[0]!.total)).toBe(3);
      // c is merged at most once: into whoever won.
      const into = await rows(sql<{ n: number | string }>`
        select count(*) as n from customer_mgmt_merge_losers where loser_id = cast(${c!.id} as uuid)`);
      expect(Number(into[0]!.n)).toBeLessThanOrEqual(1);
    }
  });

  it('a merge against order events for the loser: every order ends on the survivor and its summary adds up', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const survivor = await customer();
      const loser = await customer();
      expect((await consume(order(loser.id, 50))).outcome).toBe('applied');
      const [merged, ...consumed] = await Promise.all([
        merge(survivor.id, [loser.id]),
        ...Array.from({ length: 5 }, (_, n) => consume(order(loser.id, 10 * (n + 1)))),
      ]);
      expect(merged.status, JSON.stringify(merged.body)).toBe(200);
      expect(consumed.map((outcome) => outcome.outcome)).toEqual(Array(5).fill('applied'));
      const after = await call('GET', `/customers/${survivor.id}`);
      expect(after.body.data.purchase_summary).toMatchObject({ orders_count: 6, total_spent_minor: { EUR: 200 } });
      expect(await summaryDrift([survivor.id, loser.id])).toEqual({ drift: [], orphans: [] });
    }
  });

  it('an unmerge against order events for both: each summary adds up to its orders afterwards', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const survivor = await customer();
      const loser = await customer();
      expect((await consume(order(loser.id, 70))).outcome).toBe('applied');
      expect((await merge(survivor.id, [loser.id])).status).toBe(200);
      const [unmerged, ...consumed] = await Promise.all([
        call('POST', `/customers/${survivor.id}/unmerge`, { customer_id: loser.id }),
        ...Array.from({ length: 3 }, (_, n) => consume(order(survivor.id, 5 * (n + 1)))),
        ...Array.from({ length: 2 }, (_, n) => consume(order(loser.id, 100 * (n + 1)))),
      ]);
      expect(unmerged.status, JSON.stringify(unmerged.body)).toBe(200);
      expect(consumed.map((outcome) => outcome.outcome)).toEqual(Array(5).fill('applied'));
      expect(await summaryDrift([survivor.id, loser.id])).toEqual({ drift: [], orphans: [] });
      const total = await rows(sql<{ n: number | string }>`
        select count(*) as n from customer_mgmt_purchases where customer_id in (cast(${survivor.id} as uuid), cast(${loser.id} as uuid))`);
      expect(Number(total[0]!.n)).toBe(6);
    }
  });

  it('a merge against new deal contacts and interactions naming the loser: each is moved or refused, none is left on the loser', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const survivor = await customer();
      const loser = await customer();
      const [merged, deal, note] = await Promise.all([
        merge(survivor.id, [loser.id]),
        call('POST', '/deals', {
          name: `Deal ${round}`,
          primary_customer_id: loser.id,
          contacts: [{ customer_id: loser.id, role: 'user' }],
        }),
        call('POST', '/interactions', { type: 'note', occurred_at: '2026-01-01T10:00:00Z', links: { customer_ids: [loser.id] } }),
      ]);
      expect(merged.status).toBe(200);
      expect([201, 404, 422]).toContain(deal.status);
      expect([201, 404]).toContain(note.status);
      const left = await rows(sql<{ kind: string }>`
        select 'deal' as kind from customer_mgmt_deals
        where primary_customer_id = cast(${loser.id} as uuid) or contacts @> ${JSON.stringify([{ customer_id: loser.id }])}::jsonb
        union all
        select 'interaction' from customer_mgmt_interaction_links where target_type = 'customer' and target_id = cast(${loser.id} as uuid)`);
      expect(left, `round ${round}: deal ${deal.status}, note ${note.status}`).toEqual([]);
      if (deal.status === 201) expect((await call('GET', `/deals/${deal.body.data.id}`)).body.data.primary_customer_id).toBe(survivor.id);
    }
  });

  it('a merge moving an interaction that links a company, against new interactions naming that company and the loser: no deadlock, none is left on the loser', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const survivor = await customer();
      const loser = await customer();
      const acme = await call('POST', '/companies', { name: `Acme ${unique()}`, domain: `a${unique()}.example.com` });
      expect(acme.status).toBe(201);
      const links = { customer_ids: [loser.id], company_id: acme.body.data.id };
      const note = (n: number) =>
        call('POST', '/interactions', { type: 'note', occurred_at: '2026-01-01T10:00:00Z', subject: `N${n}`, links });
      expect((await note(0)).status).toBe(201);
      // Each new note key-share-locks the company, then the loser; the merge locks the loser, then moves the
      // first note (whose company link it keeps, so it must not lock the company again, out of order).
      const [merged, ...notes] = await Promise.all([merge(survivor.id, [loser.id]), ...Array.from({ length: 6 }, (_, n) => note(n + 1))]);
      expect(merged.status, JSON.stringify(merged.body)).toBe(200);
      for (const logged of notes) expect([201, 404], JSON.stringify(logged.body)).toContain(logged.status);
      const left = await rows(sql<{ n: number | string }>`
        select count(*) as n from customer_mgmt_interaction_links where target_type = 'customer' and target_id = cast(${loser.id} as uuid)`);
      expect(Number(left[0]!.n), `round ${round}`).toBe(0);
      expect(merged.body.data.moved.interactions).toBe(1 + notes.filter((logged) => logged.status === 201).length);
    }
  });
});
