import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, newCustomerBody, type ApiCall, type ApiHarness } from '../support/api-harness.js';

/**
 * Data API calls per interaction and timeline endpoint on the success path (docs/persistence.md):
 * one statement each; logging with participants named by email first looks those emails up.
 */
const EXPECTED_CALLS: Record<string, number> = {
  'POST /interactions': 1,
  'POST /interactions (participants by email)': 2,
  'POST /interactions (external id seen before: 200)': 2,
  'GET /interactions/{id}': 1,
  'GET /interactions': 1,
  'PUT /interactions/{id}': 1,
  'PUT /interactions/{id} (links: read, then write at that version)': 2,
  'DELETE /interactions/{id}': 1,
  'GET /customers/{id}/timeline': 1,
  'GET /companies/{id}/timeline': 1,
  'GET /deals/{id}/timeline': 1,
};

describe('interactions through the RDS Data API', () => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase('data-api');
    api = createApiHarness(database.db);
  });
  afterAll(() => database.close());

  async function callsOf(request: ApiCall): Promise<{ calls: number; status: number; body: any }> {
    database.endpoint!.resetCallCount();
    const response = await api.call(request);
    return { calls: database.endpoint!.callCount(), status: response.status, body: response.body };
  }

  it('makes one Data API call per log, read, change and timeline page', async () => {
    const customer = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
    const company = (await api.call({ method: 'POST', path: `${BASE}/companies`, body: { name: 'Calls Ltd' } })).body.data;
    const deal = (await api.call({ method: 'POST', path: `${BASE}/deals`, body: { name: 'Calls deal', company_id: company.id } })).body
      .data;
    const measured: Record<string, number> = {};
    const body = { type: 'call', occurred_at: '2025-12-01T10:00:00Z', direction: 'inbound', links: { customer_ids: [customer.id] } };
    const logged = await callsOf({ method: 'POST', path: `${BASE}/interactions`, body });
    measured['POST /interactions'] = logged.calls;
    const id = logged.body.data.id;
    const steps: [string, ApiCall][] = [
      [
        'POST /interactions (participants by email)',
        { method: 'POST', path: `${BASE}/interactions`, body: { ...body, participants: [{ email: customer.email }] } },
      ],
      [
        'POST /interactions (external id seen before: 200)',
        { method: 'POST', path: `${BASE}/interactions`, body: { ...body, source: 'import', external_id: 'x-1' } },
      ],
      ['GET /interactions/{id}', { method: 'GET', path: `${BASE}/interactions/${id}` }],
      ['GET /interactions', { method: 'GET', path: `${BASE}/interactions?customer_id=${customer.id}&type=call` }],
      ['PUT /interactions/{id}', { method: 'PUT', path: `${BASE}/interactions/${id}`, body: { outcome: 'busy' } }],
      [
        'PUT /interactions/{id} (links: read, then write at that version)',
        { method: 'PUT', path: `${BASE}/interactions/${id}`, body: { links: { company_id: company.id, deal_ids: [deal.id] } } },
      ],
      ['GET /customers/{id}/timeline', { method: 'GET', path: `${BASE}/customers/${customer.id}/timeline` }],
      ['GET /companies/{id}/timeline', { method: 'GET', path: `${BASE}/companies/${company.id}/timeline` }],
      ['GET /deals/{id}/timeline', { method: 'GET', path: `${BASE}/deals/${deal.id}/timeline` }],
      ['DELETE /interactions/{id}', { method: 'DELETE', path: `${BASE}/interactions/${id}` }],
    ];
    // The external id must exist before its repeat is measured.
    await api.call(steps[1]![1]);
    for (const [endpoint, request] of steps) {
      const { calls, status } = await callsOf(request);
      expect(status, endpoint).toBeLessThan(300);
      measured[endpoint] = calls;
    }
    expect(measured).toEqual(EXPECTED_CALLS);
  });
});
