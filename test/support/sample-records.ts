import { randomUUID } from 'node:crypto';
import { DEFAULT_PIPELINE_ID } from '../../domain/pipeline/pipeline.js';
import { fullPath, type Route } from '../../functions/http/route.js';
import { BASE, newCustomerBody, type ApiHarness } from './api-harness.js';

/** One live record of every resource with routes, by the first segment of its paths. */
export type SampleRecords = Readonly<Record<string, { readonly id: string; readonly email?: string; readonly domain?: string }>>;

/**
 * Creates one record of each resource, so that suites generated from the route table can call
 * every route on something that exists. A new aggregate adds its line here.
 */
export async function createSampleRecords(api: ApiHarness): Promise<SampleRecords> {
  const customer = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
  const domain = `sample-${randomUUID().slice(0, 8)}.example`;
  const company = (await api.call({ method: 'POST', path: `${BASE}/companies`, body: { name: 'Sample company', domain } })).body.data;
  const deal = (await api.call({ method: 'POST', path: `${BASE}/deals`, body: { name: 'Sample deal', primary_customer_id: customer.id } }))
    .body.data;
  const interaction = (
    await api.call({
      method: 'POST',
      path: `${BASE}/interactions`,
      body: { type: 'note', occurred_at: '2025-12-01T10:00:00Z', links: { customer_ids: [customer.id] } },
    })
  ).body.data;
  const exported = (await api.call({ method: 'POST', path: `${BASE}/exports`, body: { object: 'customers', format: 'csv' } })).body.data;
  await api.services.exports.idle();
  const imported = (await api.call({ method: 'POST', path: `${BASE}/imports`, body: { object: 'customers', mode: 'upsert' } })).body.data;
  return {
    customers: { id: customer.id, email: customer.email },
    companies: { id: company.id, domain: company.domain },
    pipelines: { id: DEFAULT_PIPELINE_ID },
    deals: { id: deal.id },
    interactions: { id: interaction.id },
    exports: { id: exported.id },
    imports: { id: imported.id },
  };
}

/** The route's full path with its parameters naming the sample record of its resource. */
export function samplePath(route: Route<any, any, any, any>, records: SampleRecords): string {
  if (!route.path.includes('{')) return fullPath(route);
  const resource = route.path.split('/')[1] ?? '';
  const record = records[resource];
  if (!record) throw new Error(`no sample record for ${route.path}: add one to test/support/sample-records.ts`);
  return fullPath(route)
    .replace('{id}', record.id)
    .replace('{email}', encodeURIComponent(record.email ?? ''))
    .replace('{domain}', encodeURIComponent(record.domain ?? ''));
}
