import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

const REP_A = randomUUID();
const REP_B = randomUUID();
const as = (role: string, sub = randomUUID()) => claimsFor([role], sub);

/** Interactions linked to companies and deals: links on log and change, last_interaction_at, filters, access, races. */
describe.each(availableDialects())('interactions linked to companies and deals on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    await api.registerSalesRep(REP_A);
    await api.registerSalesRep(REP_B);
  });
  afterAll(() => database.close());

  const company = async (body: Record<string, unknown> = {}) =>
    (await api.call({ method: 'POST', path: `${BASE}/companies`, body: { name: `Co ${randomUUID().slice(0, 8)}`, ...body } })).body.data
      .id as string;
  const customer = async (body: Record<string, unknown> = {}) =>
    (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody(body) })).body.data.id as string;
  const deal = async (body: Record<string, unknown> = {}) => {
    const created = await api.call({
      method: 'POST',
      path: `${BASE}/deals`,
      body: { name: 'Fleet renewal', primary_customer_id: await customer(), ...body },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.data.id as string;
  };
  const note = (links: Record<string, unknown>, at: string, claims?: Record<string, string>) =>
    api.call({
      method: 'POST',
      path: `${BASE}/interactions`,
      body: { type: 'note', occurred_at: at, links },
      ...(claims && { claims }),
    });
  const put = (id: string, body: Record<string, unknown>, claims?: Record<string, string>) =>
    api.call({ method: 'PUT', path: `${BASE}/interactions/${id}`, body, ...(claims && { claims }) });
  const read = (path: string) => api.call({ method: 'GET', path: `${BASE}/${path}` });
  const last = async (path: string) => (await read(path)).body.data.last_interaction_at as string | null;
  /** What the link table says last_interaction_at must be, computed from scratch. */
  const recomputed = async (type: string, id: string) => {
    const { rows } = await sql<{ latest: Date | string | null }>`select max(occurred_at) as latest from customer_mgmt_interaction_links
      where target_type = ${type} and target_id = cast(${id} as uuid) and deleted_at is null and counts_as_contact`.execute(database.db);
    const latest = rows[0]?.latest ?? null;
    return latest === null
      ? null
      : new Date(typeof latest === 'string' && !latest.includes('T') ? `${latest.replace(' ', 'T')}Z` : latest).toISOString();
  };
  const linkRows = async (interactionId: string) => {
    const { rows } = await sql<{
      target_type: string;
      target_id: string;
    }>`select target_type, target_id from customer_mgmt_interaction_links
      where interaction_id = cast(${interactionId} as uuid) order by target_type, target_id`.execute(database.db);
    return rows.map((row) => `${row.target_type}:${row.target_id}`);
  };

  it('logs an interaction on a company and deals: both show last_interaction_at, their ETags change, the event carries the links', async () => {
    const [companyId, dealId] = [await company(), await deal()];
    const companyBefore = await read(`companies/${companyId}`);
    const dealBefore = await read(`deals/${dealId}`);
    expect(companyBefore.body.data.last_interaction_at).toBeNull();
    expect(dealBefore.body.data.last_interaction_at).toBeNull();

    const logged = await note({ company_id: companyId, deal_ids: [dealId] }, '2025-11-01T09:00:00Z');
    expect(logged.status).toBe(201);
    expect(logged.body.data.links).toEqual({ customer_ids: [], company_id: companyId, deal_ids: [dealId] });
    const companyAfter = await read(`companies/${companyId}`);
    const dealAfter = await read(`deals/${dealId}`);
    expect(companyAfter.body.data.last_interaction_at).toBe('2025-11-01T09:00:00.000Z');
    expect(dealAfter.body.data.last_interaction_at).toBe('2025-11-01T09:00:00.000Z');
    expect(companyAfter.headers.etag).toBe(`"${companyAfter.body.data.version}.1"`);
    expect(companyAfter.headers.etag).not.toBe(companyBefore.headers.etag);
    expect(dealAfter.headers.etag).not.toBe(dealBefore.headers.etag);
    // The old ETag no longer answers 304; the new one does.
    expect(
      (await api.call({ method: 'GET', path: `${BASE}/deals/${dealId}`, headers: { 'if-none-match': dealBefore.headers.etag! } })).status,
    ).toBe(200);
    expect(
      (await api.call({ method: 'GET', path: `${BASE}/deals/${dealId}`, headers: { 'if-none-match': dealAfter.headers.etag! } })).status,
    ).toBe(304);

    const { rows } = await sql<{ data: unknown }>`select data from customer_mgmt_events
      where aggregate_type = 'interaction' and aggregate_id = cast(${logged.body.data.id} as uuid)`.execute(database.db);
    const data = typeof rows[0]!.data === 'string' ? JSON.parse(rows[0]!.data) : rows[0]!.data;
    expect(data.interaction.links).toEqual({ company: [companyId], deal: [dealId] });
  });

  it('an older interaction arriving late does not move it back; changing links and deleting recompute it', async () => {
    const [companyId, dealA, dealB] = [await company(), await deal(), await deal()];
    const newer = (await note({ company_id: companyId, deal_ids: [dealA] }, '2025-11-10T00:00:00Z')).body.data;
    const older = (await note({ company_id: companyId, deal_ids: [dealA, dealB] }, '2025-11-05T00:00:00Z')).body.data;
    expect(await last(`companies/${companyId}`)).toBe('2025-11-10T00:00:00.000Z');
    expect(await last(`deals/${dealA}`)).toBe('2025-11-10T00:00:00.000Z');
    expect(await last(`deals/${dealB}`)).toBe('2025-11-05T00:00:00.000Z');

    // Move the newer one from deal A to deal B, and off the company: A and the company fall back to the older one.
    const moved = await put(newer.id, { links: { company_id: null, deal_ids: [dealB] } });
    expect(moved.status).toBe(200);
    expect(moved.body.data.links).toEqual({ customer_ids: [], company_id: null, deal_ids: [dealB] });
    expect(moved.body.data.version).toBe(2);
    expect(await linkRows(newer.id)).toEqual([`deal:${dealB}`]);
    expect(await last(`companies/${companyId}`)).toBe('2025-11-05T00:00:00.000Z');
    expect(await last(`deals/${dealA}`)).toBe('2025-11-05T00:00:00.000Z');
    expect(await last(`deals/${dealB}`)).toBe('2025-11-10T00:00:00.000Z');
    const { rows } = await sql<{ data: unknown }>`select data from customer_mgmt_events
      where aggregate_type = 'interaction' and aggregate_id = cast(${newer.id} as uuid) and aggregate_version = 2`.execute(database.db);
    const data = typeof rows[0]!.data === 'string' ? JSON.parse(rows[0]!.data) : rows[0]!.data;
    expect(data.changes).toEqual({ links: { from: { company: [companyId], deal: [dealA] }, to: { deal: [dealB] } } });

    // The same links again change nothing; unlinking everything is refused (at least one link).
    expect((await put(newer.id, { links: { deal_ids: [dealB] } })).body.data.version).toBe(2);
    const nothing = await put(newer.id, { links: { deal_ids: [] } });
    expect(nothing.status).toBe(400);
    expect(nothing.body.error.details.fields[0].field).toBe('links');

    // A time change moves it with the interaction; a delete recomputes.
    await put(older.id, { occurred_at: '2025-11-20T00:00:00Z' });
    expect(await last(`deals/${dealA}`)).toBe('2025-11-20T00:00:00.000Z');
    expect((await api.call({ method: 'DELETE', path: `${BASE}/interactions/${older.id}` })).status).toBe(204);
    expect(await last(`companies/${companyId}`)).toBeNull();
    expect(await last(`deals/${dealA}`)).toBeNull();
    expect(await last(`deals/${dealB}`)).toBe('2025-11-10T00:00:00.000Z');
  });

  it('a missing, deleted or invisible company or deal is 404 with its own code, and nothing is written', async () => {
    const [customerId, companyId, dealId, gone] = [await customer(), await company(), await deal(), await deal()];
    await api.call({ method: 'DELETE', path: `${BASE}/deals/${gone}` });
    const missing = randomUUID();
    const count = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from customer_mgmt_interactions`.execute(database.db)).rows[0]!.n);
    const before = await count();
    for (const [links, code, field, id] of [
      [{ customer_ids: [customerId], company_id: missing }, 'COMPANY.NOT_FOUND', 'links.company_id', missing],
      [{ customer_ids: [customerId], deal_ids: [dealId, missing] }, 'DEAL.NOT_FOUND', 'links.deal_ids', missing],
      [{ deal_ids: [gone] }, 'DEAL.NOT_FOUND', 'links.deal_ids', gone],
    ] as const) {
      const response = await note(links, '2025-11-01T00:00:00Z');
      expect(response.status, JSON.stringify(links)).toBe(404);
      expect(response.body.error).toMatchObject({ code, details: { field, id } });
    }
    expect(await count()).toBe(before);

    const logged = (await note({ customer_ids: [customerId] }, '2025-11-01T00:00:00Z')).body.data;
    const refused = await put(logged.id, { subject: 'Changed', links: { company_id: companyId, deal_ids: [dealId, gone] } });
    expect(refused.status).toBe(404);
    expect(refused.body.error).toMatchObject({ code: 'DEAL.NOT_FOUND', details: { field: 'links.deal_ids', id: gone } });
    const after = (await read(`interactions/${logged.id}`)).body.data;
    expect(after).toMatchObject({ version: 1, subject: null, links: { customer_ids: [customerId], company_id: null, deal_ids: [] } });
    expect(await last(`companies/${companyId}`)).toBeNull();
    const fixed = await put(logged.id, { links: { customer_ids: [] } });
    expect(fixed.status).toBe(400);
    expect(fixed.body.error.details.fields[0].message).toContain('fixed when the interaction is logged');

    // A link the interaction already has stays, even once its record is deleted.
    const onDeal = (await note({ customer_ids: [customerId], deal_ids: [dealId] }, '2025-11-02T00:00:00Z')).body.data;
    await api.call({ method: 'DELETE', path: `${BASE}/deals/${dealId}` });
    const kept = await put(onDeal.id, { subject: 'Still on the deal', links: { company_id: companyId, deal_ids: [dealId] } });
    expect(kept.status).toBe(200);
    expect(kept.body.data.links).toEqual({ customer_ids: [customerId], company_id: companyId, deal_ids: [dealId] });
  });

  it('filters by company_id and deal_id, newest first, with a keyset cursor', async () => {
    const [companyId, dealId] = [await company(), await deal()];
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      const links = n % 2 === 0 ? { company_id: companyId, deal_ids: [dealId] } : { company_id: companyId };
      ids.push((await note(links, `2025-10-0${n + 1}T00:00:00Z`)).body.data.id);
    }
    const byCompany = await read(`interactions?company_id=${companyId}&limit=3`);
    expect(byCompany.body.data.map((item: { id: string }) => item.id)).toEqual([ids[4], ids[3], ids[2]]);
    const rest = await read(`interactions?company_id=${companyId}&limit=3&cursor=${byCompany.body.pagination.next_cursor}`);
    expect(rest.body.data.map((item: { id: string }) => item.id)).toEqual([ids[1], ids[0]]);
    const byDeal = await read(`interactions?deal_id=${dealId}`);
    expect(byDeal.body.data.map((item: { id: string }) => item.id)).toEqual([ids[4], ids[2], ids[0]]);
    const both = await read(`interactions?company_id=${companyId}&deal_id=${dealId}`);
    expect(both.status).toBe(400);
  });

  it('a sales rep links only companies and deals they see, and sees interactions on them', async () => {
    // The rep sees contactsCompany through a contact assigned to them.
    const contactsCompany = await company({ owner_id: REP_B });
    const ownCustomer = await customer({ assigned_to: REP_A, company_id: contactsCompany });
    const ownDeal = await deal({ owner_id: REP_A, primary_customer_id: ownCustomer });
    const othersDeal = await deal({ owner_id: REP_B });
    const ownCompany = await company({ owner_id: REP_A });
    const othersCompany = await company({ owner_id: REP_B });
    const rep = as('sales_rep', REP_A);

    const allowed = await note({ company_id: contactsCompany, deal_ids: [ownDeal] }, '2025-11-01T00:00:00Z', rep);
    expect(allowed.status).toBe(201);
    expect((await note({ company_id: ownCompany }, '2025-11-01T00:00:00Z', rep)).status).toBe(201);
    const hiddenDeal = await note({ deal_ids: [othersDeal] }, '2025-11-01T00:00:00Z', rep);
    expect(hiddenDeal.status).toBe(404);
    expect(hiddenDeal.body.error.code).toBe('DEAL.NOT_FOUND');
    const hiddenCompany = await note({ company_id: othersCompany }, '2025-11-01T00:00:00Z', rep);
    expect(hiddenCompany.body.error.code).toBe('COMPANY.NOT_FOUND');
    const relinked = await put(allowed.body.data.id, { links: { deal_ids: [othersDeal] } }, rep);
    expect(relinked.status).toBe(404);
    expect(relinked.body.error.code).toBe('DEAL.NOT_FOUND');

    // Logged by a manager on the rep's deal: the rep reads it (and sees it in the list), may not change it.
    const byManager = (await note({ deal_ids: [ownDeal] }, '2025-11-02T00:00:00Z')).body.data.id as string;
    expect((await api.call({ method: 'GET', path: `${BASE}/interactions/${byManager}`, claims: rep })).status).toBe(200);
    const listed = await api.call({ method: 'GET', path: `${BASE}/interactions?deal_id=${ownDeal}`, claims: rep });
    expect(listed.body.data.map((item: { id: string }) => item.id)).toContain(byManager);
    expect((await put(byManager, { subject: 'x' }, rep)).body.error.code).toBe('INTERACTION.NOT_OWNER');
    // On another rep's deal: invisible.
    const onOthers = (await note({ deal_ids: [othersDeal] }, '2025-11-02T00:00:00Z')).body.data.id as string;
    expect((await api.call({ method: 'GET', path: `${BASE}/interactions/${onOthers}`, claims: rep })).status).toBe(404);
    expect((await api.call({ method: 'GET', path: `${BASE}/interactions?deal_id=${othersDeal}`, claims: rep })).body.data).toEqual([]);
  });

  it('16 interactions logged at once on one deal and company leave last_interaction_at at the latest', async () => {
    const [companyId, dealId] = [await company(), await deal()];
    const times = Array.from({ length: 16 }, (_, n) => new Date(Date.UTC(2025, 0, 1 + ((n * 5) % 16), 9)).toISOString());
    const responses = await Promise.all(times.map((at) => note({ company_id: companyId, deal_ids: [dealId] }, at)));
    expect(responses.map((response) => response.status)).toEqual(times.map(() => 201));
    const latest = [...times].sort().at(-1);
    expect(await last(`deals/${dealId}`)).toBe(latest);
    expect(await last(`companies/${companyId}`)).toBe(latest);
  });

  it('relinks racing logs and deletes on the same deals leave last_interaction_at equal to a recomputation from scratch', async () => {
    const [dealA, dealB] = [await deal(), await deal()];
    const seeded = await Promise.all(
      Array.from({ length: 6 }, (_, n) => note({ deal_ids: [dealA] }, new Date(Date.UTC(2025, 1, 10 + n)).toISOString())),
    );
    const ids = seeded.map((response) => response.body.data.id as string);
    const work = [
      ...ids.slice(0, 3).map((id) => put(id, { links: { deal_ids: [dealB] } })),
      ...ids.slice(3, 5).map((id) => api.call({ method: 'DELETE', path: `${BASE}/interactions/${id}` })),
      put(ids[5]!, { links: { deal_ids: [dealA, dealB] }, occurred_at: '2025-01-01T00:00:00Z' }),
      ...Array.from({ length: 4 }, (_, n) =>
        note({ deal_ids: [n % 2 === 0 ? dealA : dealB] }, new Date(Date.UTC(2025, 1, 1 + n)).toISOString()),
      ),
    ];
    const statuses = (await Promise.all(work)).map((response) => response.status);
    expect(
      statuses.every((status) => status === 200 || status === 201 || status === 204),
      String(statuses),
    ).toBe(true);
    for (const id of [dealA, dealB]) expect(await last(`deals/${id}`)).toBe(await recomputed('deal', id));
    expect(await last(`deals/${dealA}`)).toBe('2025-02-03T00:00:00.000Z');
    expect(await last(`deals/${dealB}`)).toBe('2025-02-12T00:00:00.000Z');
  });

  it('relinks moving interactions in opposite directions between the same records at once all succeed', async () => {
    const [companyA, companyB, dealA, dealB] = [await company(), await company(), await deal(), await deal()];
    const onA = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        note({ company_id: companyA, deal_ids: [dealA] }, new Date(Date.UTC(2025, 2, 1 + n)).toISOString()),
      ),
    );
    const onB = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        note({ company_id: companyB, deal_ids: [dealB] }, new Date(Date.UTC(2025, 3, 1 + n)).toISOString()),
      ),
    );
    const moves = [
      ...onA.map((response) => put(response.body.data.id, { links: { company_id: companyB, deal_ids: [dealB] } })),
      ...onB.map((response) => put(response.body.data.id, { links: { company_id: companyA, deal_ids: [dealA] } })),
    ];
    const statuses = (await Promise.all(moves)).map((response) => response.status);
    expect(statuses).toEqual(moves.map(() => 200));
    expect(await last(`deals/${dealA}`)).toBe('2025-04-06T00:00:00.000Z');
    expect(await last(`companies/${companyA}`)).toBe('2025-04-06T00:00:00.000Z');
    expect(await last(`deals/${dealB}`)).toBe('2025-03-06T00:00:00.000Z');
    expect(await last(`companies/${companyB}`)).toBe('2025-03-06T00:00:00.000Z');
  });
});
