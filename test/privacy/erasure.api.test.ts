import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarisePurchases } from '../../domain/analytics/customer-summary.js';
import { rfmInputOf, scoreRfm } from '../../domain/analytics/rfm.js';
import { createPurchaseHistoryReader } from '../../functions/analytics/purchase-history-reader.js';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { routes } from '../../functions/routes.js';
import { EVENT_CATALOGUE } from '../../functions/event-catalogue.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';

describe.each(availableDialects())('erasure and export on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const REP = randomUUID();
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'));
    await api.registerSalesRep(REP);
  });
  afterAll(() => database.close());

  const unique = () => randomUUID().slice(0, 8);
  const post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    api.call({ method: 'POST', path: `${BASE}${path}`, body, ...(headers && { headers }) });
  const order = (type: string, customerId: string, total: number, placedAt: string) => ({
    id: randomUUID(),
    source: 'order-management',
    'detail-type': type,
    detail: { order_id: randomUUID(), customer_id: customerId, total_minor: total, currency: 'EUR', placed_at: placedAt },
  });

  /** A person with a trace in every kind of record: renamed, tagged, an idempotent create, interactions, orders, a deal. */
  async function aPerson() {
    const tag = unique();
    const person = {
      name: `Zebedee Quixote ${tag}`,
      email: `zq.${tag}@example.com`,
      phone: `+4477009${tag.replace(/\D/g, '').padEnd(5, '1').slice(0, 5)}`,
      // Another system's id for the person: personal data too (it re-identifies them there).
      externalId: `shop-zq-${tag}`,
      firstExternalId: `shop-first-${tag}`,
    };
    const userId = randomUUID();
    const created = await post(
      '/customers',
      { name: `Zeb Q ${tag}`, email: person.email, phone: person.phone, user_id: userId, external_id: person.firstExternalId },
      { 'idempotency-key': randomUUID() },
    );
    expect(created.status).toBe(201);
    const id: string = created.body.data.id;
    expect(
      (
        await api.call({
          method: 'PUT',
          path: `${BASE}/customers/${id}`,
          body: { name: person.name, external_id: ` ${person.externalId} ` },
        })
      ).status,
    ).toBe(200);
    expect((await api.call({ method: 'PUT', path: `${BASE}/customers/${id}/tags`, body: { tags: ['vip'] } })).status).toBe(200);
    const other = (await post('/customers', { name: `Other ${tag}`, email: `other.${tag}@example.com` })).body.data.id;
    const solo = await post('/interactions', {
      type: 'call',
      occurred_at: '2026-02-01T10:00:00Z',
      direction: 'outbound',
      outcome: 'connected',
      duration_s: 300,
      subject: `Call with ${person.name}`,
      body: `Reach ${person.phone}`,
      participants: [{ email: person.email, name: person.name }],
      links: { customer_ids: [id] },
    });
    expect(solo.status).toBe(201);
    const shared = await post('/interactions', {
      type: 'meeting',
      occurred_at: '2026-02-02T10:00:00Z',
      outcome: 'completed',
      duration_s: 1800,
      subject: 'Quarterly review',
      participants: [{ email: person.email }, { email: `other.${tag}@example.com` }],
      links: { customer_ids: [id, other] },
    });
    expect(shared.status).toBe(201);
    const deal = await post('/deals', { name: `Deal ${tag}`, primary_customer_id: id });
    expect(deal.status).toBe(201);
    const consume = createEventConsumer(database.db);
    // Identity signs up another user with their email: parked as a dead letter that quotes it.
    const parked = await consume({
      id: randomUUID(),
      source: 'identity',
      'detail-type': 'UserRegistered',
      detail: { user_id: randomUUID(), email: person.email, name: person.name, registered_at: '2026-01-01T00:00:00Z' },
    });
    expect(parked.outcome).toBe('dead_lettered');
    await consume(order('OrderCompleted', id, 2500, '2026-01-10T10:00:00Z'));
    await consume(order('OrderCompleted', id, 4000, '2026-02-10T10:00:00Z'));
    return {
      id,
      userId,
      person,
      other,
      solo: solo.body.data.id as string,
      shared: shared.body.data.id as string,
      deal: deal.body.data.id as string,
    };
  }

  /** Every text and json column of every table, via information_schema, holding any of `needles` (case-insensitive). */
  async function whereFound(needles: readonly string[]): Promise<string[]> {
    const { rows: columns } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and data_type in ('text', 'character varying', 'character', 'json', 'jsonb')
      order by table_name, column_name`.execute(database.db);
    // One statement per table (a count per column and needle), so the Data API path stays within the test's time.
    const byTable = new Map<string, string[]>();
    for (const { table_name, column_name } of columns) byTable.set(table_name, [...(byTable.get(table_name) ?? []), column_name]);
    const found: string[] = [];
    for (const [table, tableColumns] of byTable) {
      const probes = tableColumns.flatMap((column) => needles.map((needle) => ({ column, needle })));
      const counts = probes.map(
        ({ column, needle }, index) =>
          sql`count(*) filter (where position(lower(${needle}) in lower(${sql.ref(column)}::text)) > 0) as ${sql.ref(`hits_${index}`)}`,
      );
      const { rows } = await sql<Record<string, number | string>>`select ${sql.join(counts)} from ${sql.table(table)}`.execute(database.db);
      probes.forEach(({ column, needle }, index) => {
        if (Number(rows[0]?.[`hits_${index}`]) > 0) found.push(`${table}.${column} holds ${needle}`);
      });
    }
    return found;
  }

  it('erases the person everywhere in one go, keeps orders, history gapless, and finds nothing afterwards', async () => {
    const { id, person, userId, solo, shared, other } = await aPerson();
    const needles = [person.name, person.email, person.phone, userId, person.externalId, person.firstExternalId];
    expect((await whereFound(needles)).length).toBeGreaterThan(0);
    const versionsBefore = (await api.call({ method: 'GET', path: `${BASE}/customers/${id}/history?limit=100` })).body.data.map(
      (event: { customer_version: number }) => event.customer_version,
    );

    const erased = await post(`/customers/${id}/erase`, { request_ref: 'ticket-19', suppress_email: true });
    expect(erased.status).toBe(200);
    expect(erased.body.data).toMatchObject({ customer_id: id, email_suppressed: true, interactions_scrubbed: 2 });
    expect(erased.body.data.events_scrubbed).toBeGreaterThanOrEqual(3);

    expect(await whereFound(needles)).toEqual([]);

    const customer = (await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data;
    expect(customer).toMatchObject({ name: '[erased]', email: `erased+${id}@erased.invalid`, phone: null, tags: [], user_id: null });
    expect(customer.external_id).toBeNull();
    expect(customer.purchase_summary).toMatchObject({ orders_count: 2, total_spent_minor: { EUR: 6500 } });
    const history = (await api.call({ method: 'GET', path: `${BASE}/customers/${id}/history?limit=100` })).body.data;
    expect(history.map((event: { customer_version: number }) => event.customer_version)).toEqual([
      ...versionsBefore,
      versionsBefore.length + 1,
    ]);
    expect(history[0].data.customer).toMatchObject({
      name: '[erased]',
      email: '[erased]',
      phone: '[erased]',
      external_id: '[erased]',
      status: 'lead',
    });
    expect(history[1].data.changes.external_id).toEqual({ from: '[erased]', to: '[erased]' });
    // Scrubbed events still honour their published contracts (an undelivered one can still be sent).
    for (const detail of history) {
      const parsed = EVENT_CATALOGUE.contractFor(detail.event_type, detail.event_version)!.safeParse(detail);
      expect([detail.event_type, parsed.success]).toEqual([detail.event_type, true]);
    }
    expect(history.at(-1)).toMatchObject({ event_type: 'CustomerErased', data: { request_ref: 'ticket-19', email_suppressed: true } });

    const soloRead = (await api.call({ method: 'GET', path: `${BASE}/interactions/${solo}` })).body.data;
    expect(soloRead).toMatchObject({ type: 'call', outcome: 'connected', duration_s: 300, subject: null, body: null, participants: [] });
    const sharedRead = (await api.call({ method: 'GET', path: `${BASE}/interactions/${shared}` })).body.data;
    expect(sharedRead.subject).toBe('Quarterly review');
    expect(sharedRead.participants).toHaveLength(1);
    expect(sharedRead.participants[0].customer_id).toBe(other);
  });

  it('freezes the record: every write route on the customer answers 409 CUSTOMER.ERASED', async () => {
    const { id } = await aPerson();
    expect((await post(`/customers/${id}/erase`, { request_ref: 'ticket-20' })).status).toBe(200);
    const bodies: Record<string, unknown> = {
      'PUT /customers/{id}': { name: 'Back again' },
      'PUT /customers/{id}/assign': { assigned_to: REP },
      'PUT /customers/{id}/tier': { tier: 'pro' },
      'PUT /customers/{id}/tags': { tags: ['again'] },
      'POST /customers/{id}/erase': { request_ref: 'ticket-21' },
      'POST /customers/{id}/merge': { merge_ids: [randomUUID()] },
      'POST /customers/{id}/unmerge': { customer_id: randomUUID() },
    };
    const writes = routes.filter((route) => route.method !== 'GET' && /^\/customers\/\{id\}(\/[a-z]+)?$/.test(route.path));
    expect(writes.length).toBeGreaterThanOrEqual(10);
    for (const route of writes) {
      const answer = await api.call({
        method: route.method,
        path: `${BASE}${route.path.replace('{id}', id)}`,
        body: bodies[`${route.method} ${route.path}`],
      });
      expect([route.path, answer.status, answer.body?.error?.code]).toEqual([route.path, 409, 'CUSTOMER.ERASED']);
    }
  });

  it('a suppressed email cannot come back by the API or an Identity signup; without suppression it can', async () => {
    const { id, person } = await aPerson();
    await post(`/customers/${id}/erase`, { request_ref: 'ticket-22', suppress_email: true });
    const again = await post('/customers', { name: 'New', email: person.email.toUpperCase() });
    expect([again.status, again.body.error?.code]).toEqual([409, 'CUSTOMER.SUPPRESSED']);
    const consume = createEventConsumer(database.db);
    const signup = await consume({
      id: randomUUID(),
      source: 'identity',
      'detail-type': 'UserRegistered',
      detail: { user_id: randomUUID(), email: person.email, name: person.name, registered_at: '2026-03-01T00:00:00Z' },
    });
    expect(signup).toMatchObject({ outcome: 'applied', result: 'email suppressed after an erasure: no lead created' });
    const { rows } = await sql<{ email_hash: string }>`select email_hash from customer_mgmt_email_suppressions`.execute(database.db);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.email_hash))).toBe(true);

    const free = await aPerson();
    await post('/privacy/erasures', { email: free.person.email, request_ref: 'ticket-23' });
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${free.id}` })).body.data.name).toBe('[erased]');
    expect((await post('/customers', { name: 'New', email: free.person.email })).status).toBe(201);
  });

  it('erasure racing with an update of the same customer: the final state is erased and frozen', async () => {
    for (let round = 0; round < 3; round++) {
      const { id, person } = await aPerson();
      const [update, erase] = await Promise.all([
        api.call({ method: 'PUT', path: `${BASE}/customers/${id}`, body: { name: `${person.name} Junior` } }),
        post(`/customers/${id}/erase`, { request_ref: `race-${round}` }),
      ]);
      expect(erase.status).toBe(200);
      expect([200, 409]).toContain(update.status);
      expect((await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data.name).toBe('[erased]');
      expect(await whereFound([person.name])).toEqual([]);
      expect((await api.call({ method: 'PUT', path: `${BASE}/customers/${id}`, body: { name: 'x' } })).status).toBe(409);
    }
  });

  it('the analytics inputs (RFM, model inputs) of a population are the same before and after erasing some of it', async () => {
    const people = [await aPerson(), await aPerson(), await aPerson()];
    const asOf = '2026-03-01T00:00:00.000Z';
    const reader = createPurchaseHistoryReader(database.db);
    const analytics = async () => {
      const histories = [];
      for await (const history of reader.histories(asOf, null)) histories.push(history);
      const summaries = summarisePurchases(
        histories.flatMap((history) => history.orders),
        asOf,
      );
      return { populations: await reader.populations(asOf), histories, rfm: scoreRfm(summaries.map(rfmInputOf)) };
    };
    const before = await analytics();
    for (const { id } of people.slice(0, 2)) expect((await post(`/customers/${id}/erase`, { request_ref: 'cohort' })).status).toBe(200);
    expect(await analytics()).toEqual(before);
  });

  it('exports everything held about the person, and records the export', async () => {
    const { id, person, solo, deal } = await aPerson();
    const exported = await api.call({ method: 'GET', path: `${BASE}/customers/${id}/export` });
    expect(exported.status).toBe(200);
    const document = exported.body.data;
    expect(document.customer).toMatchObject({
      id,
      name: person.name,
      email: person.email,
      phone: person.phone,
      external_id: person.externalId,
      orders_count: 2,
    });
    expect(document.history.map((event: { event_type: string }) => event.event_type)).toEqual([
      'CustomerCreated',
      'CustomerUpdated',
      'CustomerTagsChanged',
      'CustomerQualified',
      'CustomerConverted',
    ]);
    expect(document.interactions.map((interaction: { id: string }) => interaction.id)).toContain(solo);
    expect(document.interactions.find((interaction: { id: string }) => interaction.id === solo).body).toBe(`Reach ${person.phone}`);
    expect(document.deals.map((item: { id: string }) => item.id)).toEqual([deal]);
    expect(document.orders.map((item: { total_minor: number | string }) => Number(item.total_minor))).toEqual([2500, 4000]);
    const audit = await api.call({ method: 'GET', path: `${BASE}/events?aggregate_type=customer_export&limit=100` });
    expect(audit.body.data.some((event: { data: { customer_id: string } }) => event.data.customer_id === id)).toBe(true);
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${randomUUID()}/export` })).status).toBe(404);
  });
});
