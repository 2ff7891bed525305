import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { DEFAULT_PIPELINE_ID } from '../../domain/pipeline/pipeline.js';
import { createServices } from '../../functions/services.js';
import { BASE, createApiHarness, newCustomerBody, steppingClock, type ApiHarness } from '../support/api-harness.js';

/**
 * A deal's links name live records, checked inside the write statement: company_id a live
 * company, every contact a live customer, and a primary customer who belongs to the deal's
 * company when both are set. A company with open deals cannot be deleted, and a delete racing a
 * new deal for the company never leaves an open deal on a deleted company.
 */
describe.each(availableDialects())('deal links on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'));
  });
  afterAll(() => database.close());

  const newCompany = async (name = 'Linked Ltd') => {
    const created = await api.call({ method: 'POST', path: `${BASE}/companies`, body: { name } });
    expect(created.status).toBe(201);
    return created.body.data.id as string;
  };
  const newCustomer = async (extra: Record<string, unknown> = {}) => {
    const created = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody(extra) });
    expect(created.status).toBe(201);
    return created.body.data.id as string;
  };
  const createDeal = (body: Record<string, unknown>) =>
    api.call({ method: 'POST', path: `${BASE}/deals`, body: { name: 'Linked deal', ...body } });
  const put = (id: string, path: string, body: unknown) => api.call({ method: 'PUT', path: `${BASE}/deals/${id}${path}`, body });
  const deleteCompany = (id: string) => api.call({ method: 'DELETE', path: `${BASE}/companies/${id}` });
  const deleteCustomer = (id: string) => api.call({ method: 'DELETE', path: `${BASE}/customers/${id}` });
  /** Live open deals whose company is deleted: the state the rules must never allow. */
  const openDealsOnDeletedCompanies = async () => {
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from customer_mgmt_deals d join customer_mgmt_companies c on c.id = d.company_id
      where d.deleted_at is null and d.status = 'open' and c.deleted_at is not null`.execute(database.db);
    return Number(rows[0]?.n);
  };

  it('company_id must name a live company (create and change): 422 DEAL.UNKNOWN_COMPANY', async () => {
    const ghost = randomUUID();
    const unknown = await createDeal({ company_id: ghost });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'DEAL.UNKNOWN_COMPANY', details: { field: 'company_id', company_id: ghost } });
    const gone = await newCompany('Gone Ltd');
    expect((await deleteCompany(gone)).status).toBe(204);
    expect((await createDeal({ company_id: gone })).body.error.code).toBe('DEAL.UNKNOWN_COMPANY');

    const live = await newCompany();
    const deal = await createDeal({ company_id: live, amount: { amount_minor: 5_000 } });
    expect(deal.status).toBe(201);
    expect(deal.body.data.company_id).toBe(live);
    const moved = await put(deal.body.data.id, '', { company_id: gone });
    expect(moved.status).toBe(422);
    expect(moved.body.error).toMatchObject({ code: 'DEAL.UNKNOWN_COMPANY', details: { company_id: gone } });
    const read = await api.call({ method: 'GET', path: `${BASE}/deals/${deal.body.data.id}` });
    expect(read.body.data).toMatchObject({ company_id: live, version: 1 });
  });

  it('every contact must be a live customer: 422 DEAL.UNKNOWN_CONTACT naming the ones that are not', async () => {
    const customer = await newCustomer();
    const deleted = await newCustomer();
    expect((await deleteCustomer(deleted)).status).toBe(204);
    const ghost = randomUUID();
    const refused = await createDeal({
      primary_customer_id: customer,
      contacts: [
        { customer_id: customer, role: 'champion' },
        { customer_id: ghost, role: 'user' },
      ],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'DEAL.UNKNOWN_CONTACT', details: { field: 'contacts', customer_ids: [ghost] } });

    const deal = await createDeal({ primary_customer_id: customer, contacts: [{ customer_id: customer, role: 'champion' }] });
    expect(deal.status).toBe(201);
    const replaced = await put(deal.body.data.id, '/contacts', {
      contacts: [
        { customer_id: customer, role: 'decision_maker' },
        { customer_id: deleted, role: 'user' },
      ],
    });
    expect(replaced.status).toBe(422);
    expect(replaced.body.error).toMatchObject({ code: 'DEAL.UNKNOWN_CONTACT', details: { customer_ids: [deleted] } });
    const other = await newCustomer();
    const ok = await put(deal.body.data.id, '/contacts', { contacts: [{ customer_id: other, role: 'user' }] });
    expect(ok.status).toBe(200);
    expect(ok.body.data.contacts).toEqual([{ customer_id: other, role: 'user' }]);
  });

  it('with both links, the primary customer must be a contact of the company: 422 DEAL.CUSTOMER_NOT_IN_COMPANY', async () => {
    const company = await newCompany();
    const member = await newCustomer({ company_id: company });
    const outsider = await newCustomer();
    const refused = await createDeal({ company_id: company, primary_customer_id: outsider });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'DEAL.CUSTOMER_NOT_IN_COMPANY',
      details: { field: 'primary_customer_id', primary_customer_id: outsider, company_id: company },
    });
    const deal = await createDeal({ company_id: company, primary_customer_id: member });
    expect(deal.status).toBe(201);
    const id = deal.body.data.id;
    // Changing one link is checked against the other as stored.
    expect((await put(id, '', { primary_customer_id: outsider })).body.error.code).toBe('DEAL.CUSTOMER_NOT_IN_COMPANY');
    const elsewhere = await newCompany('Elsewhere Ltd');
    expect((await put(id, '', { company_id: elsewhere })).body.error.code).toBe('DEAL.CUSTOMER_NOT_IN_COMPANY');
    // Both at once, consistent: allowed; the outsider alone (no company): allowed.
    const theirs = await newCustomer({ company_id: elsewhere });
    const both = await put(id, '', { company_id: elsewhere, primary_customer_id: theirs });
    expect(both.status).toBe(200);
    expect(both.body.data).toMatchObject({ company_id: elsewhere, primary_customer_id: theirs, version: 2 });
    const alone = await put(id, '', { company_id: null, primary_customer_id: outsider });
    expect(alone.status).toBe(200);
    expect(alone.body.data).toMatchObject({ company_id: null, primary_customer_id: outsider, version: 3 });
  });

  it('DELETE /companies/{id} with open deals is 409 COMPANY.HAS_OPEN_DEALS with the count; closed deals do not stop it', async () => {
    const company = await newCompany('Busy Ltd');
    const first = (await createDeal({ company_id: company })).body.data.id;
    const second = (await createDeal({ company_id: company })).body.data.id;
    const refused = await deleteCompany(company);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'COMPANY.HAS_OPEN_DEALS', details: { deal_count: 2 } });
    expect((await api.call({ method: 'POST', path: `${BASE}/deals/${first}/win` })).status).toBe(200);
    expect((await deleteCompany(company)).body.error.details).toEqual({ deal_count: 1 });
    expect((await api.call({ method: 'POST', path: `${BASE}/deals/${second}/lose`, body: { lost_reason: 'price' } })).status).toBe(200);
    expect((await deleteCompany(company)).status).toBe(204);
    // A closed deal of a deleted company cannot be reopened: it would be open on a deleted company.
    const reopened = await api.call({ method: 'POST', path: `${BASE}/deals/${first}/reopen` });
    expect(reopened.status).toBe(422);
    expect(reopened.body.error).toMatchObject({ code: 'DEAL.UNKNOWN_COMPANY', details: { company_id: company } });
    expect(await openDealsOnDeletedCompanies()).toBe(0);
  });

  it('a new deal racing the delete of its company: exactly one wins, never an open deal on a deleted company', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const company = await newCompany(`Race ${round}`);
      const [deal, deleted] = await Promise.all([createDeal({ company_id: company }), deleteCompany(company)]);
      const pair = `${deal.status}/${deleted.status}`;
      expect(['201/409', '422/204'], JSON.stringify([deal.body, deleted.body])).toContain(pair);
      if (deal.status === 201) expect(deleted.body.error).toMatchObject({ code: 'COMPANY.HAS_OPEN_DEALS', details: { deal_count: 1 } });
      else expect(deal.body.error.code).toBe('DEAL.UNKNOWN_COMPANY');
      outcomes.add(pair);
    }
    expect(await openDealsOnDeletedCompanies()).toBe(0);
    expect(outcomes.size).toBeGreaterThanOrEqual(1);
  });

  // The race above mostly ends one way (a create reads its pipeline first); on a server, each order
  // is forced by holding one side's transaction open while the other runs against it.
  it.runIf(dialect === 'postgres')('each order of the race, forced: the second writer waits, then refuses', async () => {
    const pending = async <T>(promise: Promise<T>) =>
      Promise.race([promise.then(() => 'done'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);

    const deletedFirst = await newCompany('Deleted first');
    let create: Promise<Awaited<ReturnType<typeof createDeal>>> | undefined;
    await database.db.transaction().execute(async (trx) => {
      const deleting = createServices(trx, { clock: () => new Date('2026-03-01T10:00:00.000Z') });
      expect((await deleting.companies.delete(deletedFirst, 'test')).ok).toBe(true);
      create = createDeal({ company_id: deletedFirst });
      expect(await pending(create)).toBe('waiting');
    });
    expect((await create!).body.error.code).toBe('DEAL.UNKNOWN_COMPANY');

    const dealFirst = await newCompany('Deal first');
    let remove: Promise<Awaited<ReturnType<typeof deleteCompany>>> | undefined;
    await database.db.transaction().execute(async (trx) => {
      const creating = createServices(trx, { clock: () => new Date('2026-03-01T10:00:00.000Z') });
      const created = await creating.deals.create(
        { name: 'Held', pipelineId: DEFAULT_PIPELINE_ID, companyId: dealFirst },
        { actor: 'test', visibility: {} },
      );
      expect(created.ok).toBe(true);
      remove = deleteCompany(dealFirst);
      expect(await pending(remove)).toBe('waiting');
    });
    expect((await remove!).body.error).toMatchObject({ code: 'COMPANY.HAS_OPEN_DEALS', details: { deal_count: 1 } });
    expect(await openDealsOnDeletedCompanies()).toBe(0);
  });

  it('a deal moved onto a company racing its delete: exactly one wins', async () => {
    const home = await newCompany('Home Ltd');
    for (let round = 0; round < 6; round++) {
      const deal = (await createDeal({ company_id: home })).body.data.id;
      const target = await newCompany(`Target ${round}`);
      const [moved, deleted] = await Promise.all([put(deal, '', { company_id: target }), deleteCompany(target)]);
      expect(['200/409', '422/204']).toContain(`${moved.status}/${deleted.status}`);
    }
    expect(await openDealsOnDeletedCompanies()).toBe(0);
  });
});
