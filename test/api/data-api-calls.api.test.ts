import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, newCustomerBody, type ApiCall, type ApiHarness } from '../support/api-harness.js';

/**
 * Data API calls each endpoint makes on its success path, as documented in docs/persistence.md: none
 * for the liveness probe (a paused dev database stays paused), one for every read and change (assign
 * included: the write statement checks the sales rep), two for purchases (the customer first).
 * Here events are left to the relay; test/api/data-api-call-budget.api.test.ts counts the default,
 * where they are delivered right after commit.
 */
export const EXPECTED_CALLS: Record<string, number> = {
  'GET /health': 0,
  'GET /ready': 1,
  'POST /customers': 1,
  'GET /customers/{id}': 1,
  'GET /customers/email/{email}': 1,
  'GET /customers': 1,
  'PUT /customers/{id}': 1,
  'DELETE /customers/{id}': 1,
  'POST /customers/{id}/qualify': 1,
  'POST /customers/{id}/convert': 1,
  'POST /customers/{id}/churn': 1,
  'POST /customers/{id}/reactivate': 1,
  'PUT /customers/{id}/assign': 1,
  'PUT /customers/{id}/tier': 1,
  'PUT /customers/{id}/tags': 1,
  'GET /customers/{id}/history': 1,
  'GET /customers/{id}/purchases': 2,
  'POST /companies': 1,
  'GET /companies/{id}': 1,
  'GET /companies/domain/{domain}': 1,
  'GET /companies': 1,
  'PUT /companies/{id}': 1,
  'PUT /companies/{id}/assign': 1,
  'PUT /companies/{id}/tags': 1,
  'GET /companies/{id}/contacts': 2,
  'GET /companies/{id}/subsidiaries': 2,
  'GET /companies/{id}/summary': 1,
  'GET /companies/{id}/history': 1,
  'DELETE /companies/{id}': 1,
};

describe('through the RDS Data API', () => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase('data-api');
    api = createApiHarness(database.db);
    await api.registerSalesRep('019b6ec4-774c-70e0-9c2c-7ba19630289d');
  });
  afterAll(() => database.close());

  async function callsOf(request: ApiCall): Promise<{ calls: number; status: number; body: any }> {
    database.endpoint!.resetCallCount();
    const response = await api.call(request);
    return { calls: database.endpoint!.callCount(), status: response.status, body: response.body };
  }

  it('makes one Data API call per read and change (two where a lookup comes first)', async () => {
    const measured: Record<string, number> = {};
    const created = await callsOf({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ email: 'calls@example.com' }) });
    measured['POST /customers'] = created.calls;
    const id = created.body.data.id;
    const steps: [string, ApiCall][] = [
      ['GET /health', { method: 'GET', path: '/health' }],
      ['GET /ready', { method: 'GET', path: `${BASE}/ready` }],
      ['GET /customers/{id}', { method: 'GET', path: `${BASE}/customers/${id}` }],
      ['GET /customers/email/{email}', { method: 'GET', path: `${BASE}/customers/email/calls@example.com` }],
      ['GET /customers', { method: 'GET', path: `${BASE}/customers?tag=x&limit=5` }],
      ['PUT /customers/{id}', { method: 'PUT', path: `${BASE}/customers/${id}`, body: { name: 'Counted' } }],
      [
        'PUT /customers/{id}/assign',
        { method: 'PUT', path: `${BASE}/customers/${id}/assign`, body: { assigned_to: '019b6ec4-774c-70e0-9c2c-7ba19630289d' } },
      ],
      ['PUT /customers/{id}/tier', { method: 'PUT', path: `${BASE}/customers/${id}/tier`, body: { tier: 'pro' } }],
      ['PUT /customers/{id}/tags', { method: 'PUT', path: `${BASE}/customers/${id}/tags`, body: { tags: ['x'] } }],
      ['POST /customers/{id}/qualify', { method: 'POST', path: `${BASE}/customers/${id}/qualify` }],
      ['POST /customers/{id}/convert', { method: 'POST', path: `${BASE}/customers/${id}/convert` }],
      ['POST /customers/{id}/churn', { method: 'POST', path: `${BASE}/customers/${id}/churn`, body: { reason: 'price' } }],
      ['POST /customers/{id}/reactivate', { method: 'POST', path: `${BASE}/customers/${id}/reactivate` }],
      ['GET /customers/{id}/history', { method: 'GET', path: `${BASE}/customers/${id}/history` }],
      ['GET /customers/{id}/purchases', { method: 'GET', path: `${BASE}/customers/${id}/purchases` }],
      ['DELETE /customers/{id}', { method: 'DELETE', path: `${BASE}/customers/${id}` }],
    ];
    const company = await callsOf({ method: 'POST', path: `${BASE}/companies`, body: { name: 'Counted Ltd', domain: 'counted.example' } });
    measured['POST /companies'] = company.calls;
    const companyPath = `${BASE}/companies/${company.body.data.id}`;
    steps.push(
      ['GET /companies/{id}', { method: 'GET', path: companyPath }],
      ['GET /companies/domain/{domain}', { method: 'GET', path: `${BASE}/companies/domain/www.counted.example` }],
      ['GET /companies', { method: 'GET', path: `${BASE}/companies?tag=x&limit=5` }],
      ['PUT /companies/{id}', { method: 'PUT', path: companyPath, body: { name: 'Counted GmbH', country: 'DE' } }],
      [
        'PUT /companies/{id}/assign',
        { method: 'PUT', path: `${companyPath}/assign`, body: { owner_id: '019b6ec4-774c-70e0-9c2c-7ba19630289d' } },
      ],
      ['PUT /companies/{id}/tags', { method: 'PUT', path: `${companyPath}/tags`, body: { tags: ['x'] } }],
      ['GET /companies/{id}/contacts', { method: 'GET', path: `${companyPath}/contacts` }],
      ['GET /companies/{id}/subsidiaries', { method: 'GET', path: `${companyPath}/subsidiaries?depth=all` }],
      ['GET /companies/{id}/summary', { method: 'GET', path: `${companyPath}/summary?include_subsidiaries=true` }],
      ['GET /companies/{id}/history', { method: 'GET', path: `${companyPath}/history` }],
      ['DELETE /companies/{id}', { method: 'DELETE', path: companyPath }],
    );
    for (const [endpoint, request] of steps) {
      const { calls, status } = await callsOf(request);
      expect(status, endpoint).toBeLessThan(300);
      measured[endpoint] = calls;
    }
    expect(measured).toEqual(EXPECTED_CALLS);
  });

  it('needs a second call only to explain a refusal, and two more for an Idempotency-Key', async () => {
    const { body } = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() });
    expect((await callsOf({ method: 'POST', path: `${BASE}/customers/${body.data.id}/convert` })).calls).toBe(2);
    expect((await callsOf({ method: 'PUT', path: `${BASE}/customers/${body.data.id}/tier`, body: { tier: 'free' } })).calls).toBe(2);
    const keyed = await callsOf({
      method: 'POST',
      path: `${BASE}/customers`,
      body: newCustomerBody(),
      headers: { 'idempotency-key': 'count-me' },
    });
    expect(keyed.calls).toBe(3);
  });

  it('deletes a company with its contacts detached in one transaction: begin, check, detach, delete, commit', async () => {
    const company = (await api.call({ method: 'POST', path: `${BASE}/companies`, body: { name: 'Detached Ltd' } })).body.data;
    await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ company_id: company.id }) });
    const detached = await callsOf({ method: 'DELETE', path: `${BASE}/companies/${company.id}?detach_contacts=true` });
    expect(detached.status).toBe(204);
    expect(detached.calls).toBe(5);
  });

  it('gives the same 409 for a duplicate email as on pg, with the existing id', async () => {
    const first = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ email: 'dupe@example.com' }) });
    const second = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ email: 'DUPE@example.com' }) });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'CUSTOMER.EMAIL_TAKEN', details: { existing_customer_id: first.body.data.id } });
  });

  it('retries while the database resumes, and answers 503 with Retry-After when it does not come back', async () => {
    const { body } = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() });
    database.endpoint!.injectResuming(2);
    const resumed = await callsOf({ method: 'GET', path: `${BASE}/customers/${body.data.id}` });
    expect(resumed.status).toBe(200);
    expect(resumed.calls).toBe(3);

    database.endpoint!.injectResuming(10);
    const unavailable = await api.call({ method: 'POST', path: `${BASE}/customers/${body.data.id}/qualify` });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('15');
    expect(unavailable.body.error.code).toBe('SERVICE_UNAVAILABLE');
    database.endpoint!.injectResuming(0);
    const after = await api.call({ method: 'GET', path: `${BASE}/customers/${body.data.id}` });
    expect(after.body.data.status).toBe('lead');
  });

  it('retries while the writer is unavailable (DatabaseUnavailableException) and then answers', async () => {
    const { body } = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() });
    database.endpoint!.injectFault('DatabaseUnavailableException', 2);
    const answered = await callsOf({ method: 'GET', path: `${BASE}/customers/${body.data.id}` });
    expect(answered.status).toBe(200);
    expect(answered.calls).toBe(3);

    database.endpoint!.injectFault('DatabaseUnavailableException', 10);
    const unavailable = await api.call({ method: 'GET', path: `${BASE}/customers/${body.data.id}` });
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.error.code).toBe('SERVICE_UNAVAILABLE');
    database.endpoint!.injectFault('DatabaseUnavailableException', 0);
  });

  it('the local endpoint is faithful: an uncast uuid parameter fails there as on Aurora', async () => {
    const failure = database.db
      .selectFrom('customer_mgmt_customers')
      .select('id')
      .where('id', '=', '019b6ec4-774c-70e0-9c2c-7ba19630289d')
      .execute();
    await expect(failure).rejects.toMatchObject({
      name: 'DatabaseErrorException',
      message: expect.stringContaining('operator does not exist: uuid = character varying'),
    });
  });
});
