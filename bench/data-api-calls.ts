import type { EndpointProcess } from './processes.js';
import { BASE } from './scenarios.js';
import { salesRepId } from './seed.js';

interface Step {
  readonly endpoint: string;
  readonly method: string;
  readonly path: (id: string) => string;
  readonly body?: unknown;
}

const REP = salesRepId(1);

/** Every route once, on its success path (each change really changes something), in an order the lifecycle allows. */
const STEPS: readonly Step[] = [
  { endpoint: 'GET /health', method: 'GET', path: () => '/health' },
  { endpoint: 'GET /customers/{id}', method: 'GET', path: (id) => `${BASE}/customers/${id}` },
  { endpoint: 'GET /customers/email/{email}', method: 'GET', path: () => `${BASE}/customers/email/COUNTED.CALLS%40example.com` },
  { endpoint: 'GET /customers', method: 'GET', path: () => `${BASE}/customers?tag=vip&limit=20` },
  { endpoint: 'PUT /customers/{id}', method: 'PUT', path: (id) => `${BASE}/customers/${id}`, body: { name: 'Counted Calls Renamed' } },
  { endpoint: 'PUT /customers/{id}/assign', method: 'PUT', path: (id) => `${BASE}/customers/${id}/assign`, body: { assigned_to: REP } },
  { endpoint: 'PUT /customers/{id}/tier', method: 'PUT', path: (id) => `${BASE}/customers/${id}/tier`, body: { tier: 'pro' } },
  { endpoint: 'PUT /customers/{id}/tags', method: 'PUT', path: (id) => `${BASE}/customers/${id}/tags`, body: { tags: ['vip', 'emea'] } },
  { endpoint: 'POST /customers/{id}/qualify', method: 'POST', path: (id) => `${BASE}/customers/${id}/qualify` },
  { endpoint: 'POST /customers/{id}/convert', method: 'POST', path: (id) => `${BASE}/customers/${id}/convert` },
  { endpoint: 'POST /customers/{id}/churn', method: 'POST', path: (id) => `${BASE}/customers/${id}/churn`, body: { reason: 'price' } },
  { endpoint: 'POST /customers/{id}/reactivate', method: 'POST', path: (id) => `${BASE}/customers/${id}/reactivate` },
  { endpoint: 'GET /customers/{id}/history', method: 'GET', path: (id) => `${BASE}/customers/${id}/history` },
  { endpoint: 'DELETE /customers/{id}', method: 'DELETE', path: (id) => `${BASE}/customers/${id}` },
];

/**
 * Data API calls per request for every endpoint, counted at the local Data API endpoint: one
 * request at a time with the counter reset before it. Every request must succeed (2xx).
 */
export async function countDataApiCalls(api: { url: string; token: string }, endpoint: EndpointProcess): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const call = async (method: string, path: string, body?: unknown) => {
    await endpoint.resetCallCount();
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${api.token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return { calls: (await endpoint.callCount()).total, body: text ? (JSON.parse(text) as { data?: { id?: string } }) : {} };
  };

  const created = await call('POST', `${BASE}/customers`, { name: 'Counted Calls', email: 'counted.calls@example.com', tags: ['x'] });
  counts['POST /customers'] = created.calls;
  const id = created.body.data!.id!;
  for (const step of STEPS) counts[step.endpoint] = (await call(step.method, step.path(id), step.body)).calls;
  return counts;
}
