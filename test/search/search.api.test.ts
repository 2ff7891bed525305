import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';

describe.each(availableDialects())('search on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const REP = randomUUID();
  const ids: Record<string, string> = {};
  const search = (object: string, body: unknown, extra: { claims?: Record<string, string>; headers?: Record<string, string> } = {}) =>
    api.call({ method: 'POST', path: `${BASE}/${object}/search`, body, ...extra });
  const names = (response: { body: { data: { name: string }[] } }) => response.body.data.map((item) => item.name);

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'));
    await api.registerSalesRep(REP);
    // Created one second apart (the stepping clock), so creation order is this order.
    const people = [
      { name: 'Ada Lovelace', email: 'ada@acme.example', tags: ['vip', 'b2b'], tier: 'pro' },
      { name: 'Grace Hopper', email: 'grace@navy.example', tags: ['vip'], assigned_to: REP },
      { name: 'Alan Turing', email: 'alan@bletchley.example', tags: ['b2b'] },
      { name: 'Zed Shaw', email: 'zed@acme.example', tags: [], assigned_to: REP },
      { name: 'Katherine Johnson', email: 'kj@nasa.example', tags: ['vip', 'nasa'], tier: 'enterprise' },
    ];
    for (const person of people) {
      const created = await api.call({ method: 'POST', path: `${BASE}/customers`, body: person });
      expect(created.status).toBe(201);
      ids[person.name] = created.body.data.id;
    }
    expect((await api.call({ method: 'POST', path: `${BASE}/customers/${ids['Grace Hopper']}/qualify` })).status).toBe(200);
    expect((await api.call({ method: 'POST', path: `${BASE}/customers/${ids['Alan Turing']}/qualify` })).status).toBe(200);
  });
  afterAll(() => database.close());

  it('groups are OR, filters in a group AND: (lead and vip) or name starts with "ze"', async () => {
    const response = await search('customers', {
      filter_groups: [
        {
          filters: [
            { property: 'status', operator: 'eq', value: 'lead' },
            { property: 'tags', operator: 'eq', value: 'VIP' },
          ],
        },
        { filters: [{ property: 'name', operator: 'starts_with', value: 'ZE' }] },
      ],
      sorts: [{ property: 'name', direction: 'asc' }],
      count: true,
    });
    expect(response.status).toBe(200);
    // Ada (lead, vip), Katherine (lead, vip), Zed (starts with ze); Grace is vip but a prospect.
    expect(names(response)).toEqual(['Ada Lovelace', 'Katherine Johnson', 'Zed Shaw']);
    expect(response.body.pagination).toEqual({ limit: 20, next_cursor: null, total: 3 });
  });

  it('tags: in = any, all = every, not_in = none; has_property = not empty', async () => {
    const run = async (operator: string, values?: string[]) =>
      names(
        await search('customers', {
          filter_groups: [{ filters: [{ property: 'tags', operator, ...(values && { values }) }] }],
          sorts: [{ property: 'created_at', direction: 'asc' }],
        }),
      );
    expect(await run('in', ['nasa', 'b2b'])).toEqual(['Ada Lovelace', 'Alan Turing', 'Katherine Johnson']);
    expect(await run('all', ['vip', 'b2b'])).toEqual(['Ada Lovelace']);
    expect(await run('not_in', ['vip'])).toEqual(['Alan Turing', 'Zed Shaw']);
    expect(await run('not_has_property')).toEqual(['Zed Shaw']);
  });

  it('query: every word in name or email, case-insensitively; contains_token matches whole words', async () => {
    expect(names(await search('customers', { query: 'ACME a', sorts: [{ property: 'name', direction: 'asc' }] }))).toEqual([
      'Ada Lovelace',
      'Zed Shaw',
    ]);
    const token = await search('customers', {
      filter_groups: [{ filters: [{ property: 'email', operator: 'contains_token', value: 'acme' }] }],
    });
    expect(names(token).sort()).toEqual(['Ada Lovelace', 'Zed Shaw']);
    const partial = await search('customers', {
      filter_groups: [{ filters: [{ property: 'email', operator: 'contains_token', value: 'acm' }] }],
    });
    expect(partial.body.data).toEqual([]);
  });

  it('pages through with the keyset cursor in the requested order; properties picks the fields', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const response: Awaited<ReturnType<typeof search>> = await search('customers', {
        sorts: [{ property: 'tier', direction: 'desc' }],
        properties: ['name', 'tier'],
        limit: 2,
        ...(after && { after }),
      });
      expect(response.status).toBe(200);
      for (const item of response.body.data) expect(Object.keys(item)).toEqual(['id', 'name', 'tier']);
      seen.push(...names(response));
      after = response.body.pagination.next_cursor;
      pages++;
    } while (after);
    // tier desc (pro > free > enterprise > basic as text), then id desc: the ids are UUID v7, so newest first among equals.
    expect(seen).toEqual(['Ada Lovelace', 'Zed Shaw', 'Alan Turing', 'Grace Hopper', 'Katherine Johnson']);
    expect(pages).toBe(3);
    const reordered = await search('customers', {
      sorts: [{ property: 'name', direction: 'asc' }],
      after: (await search('customers', { limit: 1 })).body.pagination.next_cursor,
    });
    expect(reordered.status).toBe(400);
    expect(reordered.body.error.details.fields[0].field).toBe('after');
  });

  it('a sales rep searches within their own customers only', async () => {
    const rep = claimsFor(['sales_rep'], REP);
    const all = await search('customers', { sorts: [{ property: 'name', direction: 'asc' }], count: true }, { claims: rep });
    expect(names(all)).toEqual(['Grace Hopper', 'Zed Shaw']);
    expect(all.body.pagination.total).toBe(2);
    const others = await search(
      'customers',
      { filter_groups: [{ filters: [{ property: 'name', operator: 'eq', value: 'Ada Lovelace' }] }] },
      { claims: rep },
    );
    expect(others.body.data).toEqual([]);
  });

  it('refuses what does not fit, naming the exact path and what the property accepts', async () => {
    const response = await search('customers', {
      filter_groups: [
        { filters: [{ property: 'status', operator: 'eq', value: 'lead' }] },
        {
          filters: [
            { property: 'name', operator: 'eq', value: 'x' },
            { property: 'created_at', operator: 'between', value: '2026-01-01' },
            { property: 'orders_count', operator: 'gt', value: 'three' },
            { property: 'status', operator: 'lt', value: 'lead' },
          ],
        },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    const fields = Object.fromEntries(
      response.body.error.details.fields.map((issue: { field: string; message: string }) => [issue.field, issue.message]),
    );
    expect(fields).toEqual({
      'filter_groups[1].filters[1].high_value': 'between needs high_value (an ISO-8601 date-time, e.g. 2026-12-31T10:00:00Z)',
      'filter_groups[1].filters[2].value': 'must be a number',
      'filter_groups[1].filters[3].operator':
        'status is an enum property; its operators are eq, neq, in, not_in, has_property, not_has_property',
    });
    // The shape is checked first: an unknown property or a limit out of range answer before the meaning is read.
    const shape = await search('customers', { filter_groups: [{ filters: [{ property: 'nope', operator: 'eq', value: 1 }] }], limit: 101 });
    expect(shape.body.error.details.fields).toEqual([
      {
        field: 'filter_groups[0].filters[0].property',
        message: expect.stringContaining('must be a property of customers: id, name, email'),
      },
      { field: 'limit', message: 'must be at most 100' },
    ]);
    const tooMany = await search('customers', {
      filter_groups: Array.from({ length: 4 }, () => ({
        filters: Array.from({ length: 5 }, () => ({ property: 'status', operator: 'eq', value: 'lead' })),
      })),
    });
    expect(tooMany.body.error.details.fields).toEqual([
      { field: 'filter_groups', message: 'at most 18 filters in all, this search has 20' },
    ]);
  });

  it('is a read: an Idempotency-Key is neither needed nor stored, the same key answers each body afresh', async () => {
    const key = randomUUID();
    const first = await search('customers', { query: 'ada' }, { headers: { 'idempotency-key': key } });
    const second = await search('customers', { query: 'grace' }, { headers: { 'idempotency-key': key } });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(names(first)).toEqual(['Ada Lovelace']);
    expect(names(second)).toEqual(['Grace Hopper']);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a sales rep finds the interactions they own and those that link a customer of theirs, as the list does', async () => {
    const rep = claimsFor(['sales_rep'], REP);
    const log = async (subject: string, customer: string, claims?: Record<string, string>) =>
      (
        await api.call({
          method: 'POST',
          path: `${BASE}/interactions`,
          body: { type: 'note', subject, occurred_at: '2026-02-02T10:00:00Z', links: { customer_ids: [customer] } },
          ...(claims && { claims }),
        })
      ).body.data.id as string;
    const linked = await log('Scope: about Grace', ids['Grace Hopper']!);
    const hidden = await log('Scope: about Ada', ids['Ada Lovelace']!);
    const own = await log('Scope: mine', ids['Zed Shaw']!, rep);
    const body = { query: 'scope:', sorts: [{ property: 'subject', direction: 'asc' }] };
    const asRep = await search('interactions', body, { claims: rep });
    expect(asRep.body.data.map((item: { id: string }) => item.id)).toEqual([linked, own]);
    const listed = await api.call({ method: 'GET', path: `${BASE}/interactions?q=scope&limit=100`, claims: rep });
    expect(listed.body.data.map((item: { id: string }) => item.id).sort()).toEqual([linked, own].sort());
    expect((await search('interactions', body)).body.data.map((item: { id: string }) => item.id)).toEqual([hidden, linked, own]);
  });

  it.runIf(dialect === 'data-api')('is one Data API call, with or without the count', async () => {
    for (const body of [{}, { count: true, query: 'a', sorts: [{ property: 'last_order_at', direction: 'desc' }] }]) {
      database.endpoint!.resetCallCount();
      expect((await search('customers', body)).status).toBe(200);
      expect(database.endpoint!.callCount()).toBe(1);
    }
  });

  it('deals: money compares amounts within the named currency; companies and interactions search the same way', async () => {
    const deal = (name: string, amount_minor: number, currency: string) =>
      api.call({
        method: 'POST',
        path: `${BASE}/deals`,
        body: { name, primary_customer_id: ids['Ada Lovelace'], amount: { amount_minor, currency } },
      });
    for (const [name, amount, currency] of [
      ['Small EUR', 10_000, 'EUR'],
      ['Big EUR', 900_000, 'EUR'],
      ['Mid USD', 50_000, 'USD'],
      ['Mid EUR', 50_000, 'EUR'],
    ] as const) {
      expect((await deal(name, amount, currency)).status).toBe(201);
    }
    const between = await search('deals', {
      filter_groups: [
        {
          filters: [
            {
              property: 'amount',
              operator: 'between',
              value: { amount_minor: 10_000, currency: 'EUR' },
              high_value: { amount_minor: 50_000, currency: 'EUR' },
            },
          ],
        },
      ],
      sorts: [{ property: 'amount', direction: 'desc' }],
    });
    expect(names(between)).toEqual(['Mid EUR', 'Small EUR']);
    expect(between.body.data[0]).toMatchObject({ amount: { amount_minor: 50_000, currency: 'EUR' }, probability: 0.1 });
    const mixed = await search('deals', {
      filter_groups: [
        {
          filters: [
            {
              property: 'amount',
              operator: 'between',
              value: { amount_minor: 1, currency: 'EUR' },
              high_value: { amount_minor: 2, currency: 'USD' },
            },
          ],
        },
      ],
    });
    expect(mixed.body.error.details.fields).toEqual([
      { field: 'filter_groups[0].filters[0].high_value.currency', message: expect.stringContaining('same currency') },
    ]);
    const company = await api.call({
      method: 'POST',
      path: `${BASE}/companies`,
      body: { name: 'Acme Ltd', domain: 'acme.example', tags: ['b2b'] },
    });
    expect(company.status).toBe(201);
    const companies = await search('companies', {
      query: 'acme.ex',
      filter_groups: [{ filters: [{ property: 'tags', operator: 'eq', value: 'b2b' }] }],
    });
    expect(names(companies)).toEqual(['Acme Ltd']);
    const logged = await api.call({
      method: 'POST',
      path: `${BASE}/interactions`,
      body: {
        type: 'call',
        direction: 'outbound',
        subject: 'Renewal call',
        occurred_at: '2026-02-01T10:00:00Z',
        links: { customer_ids: [ids['Ada Lovelace']] },
      },
    });
    expect(logged.status).toBe(201);
    const interactions = await search('interactions', {
      filter_groups: [
        {
          filters: [
            { property: 'occurred_at', operator: 'gte', value: '2026-02-01' },
            { property: 'type', operator: 'in', values: ['call', 'meeting'] },
          ],
        },
      ],
      properties: ['subject'],
    });
    expect(interactions.body.data).toEqual([{ id: logged.body.data.id, subject: 'Renewal call' }]);
  });
});
