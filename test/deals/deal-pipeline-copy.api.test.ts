import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

const body = (stages: { key: string; probability: number }[]) => ({
  name: 'Renewals',
  currency: 'USD',
  stages: [
    ...stages.map(({ key, probability }) => ({ key, label: key, kind: 'open', probability })),
    { key: 'won', label: 'Won', kind: 'won' },
    { key: 'lost', label: 'Lost', kind: 'lost' },
  ],
});

/**
 * A new deal is decided on the pipeline as the process last read it, and inserted only while the
 * pipeline is still at that version: a pipeline changed since (by this process or another) is
 * read again, so a deal is never decided on an out-of-date copy.
 */
describe.each(availableDialects())('new deals and the pipeline copy on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let other: ApiHarness;
  let customerId: string;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    // Another process over the same database: its changes are unknown to the first one's copy.
    other = createApiHarness(database.db);
    customerId = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id;
  });
  afterAll(() => database.close());

  const createDeal = (pipelineId: string, extra: Record<string, unknown> = {}) =>
    api.call({
      method: 'POST',
      path: `${BASE}/deals`,
      body: { name: 'Renewal', pipeline_id: pipelineId, primary_customer_id: customerId, ...extra },
    });

  it('a stage added and a probability changed elsewhere are used by the next deal', async () => {
    const created = await api.call({ method: 'POST', path: `${BASE}/pipelines`, body: body([{ key: 'due', probability: 0.2 }]) });
    const id = created.body.data.id;
    const first = await createDeal(id, { amount: { amount_minor: 1_000 } });
    expect(first.body.data).toMatchObject({ stage: 'due', probability: 0.2, weighted_amount: { amount_minor: 200 } });

    const changed = await other.call({
      method: 'PUT',
      path: `${BASE}/pipelines/${id}`,
      body: body([
        { key: 'due', probability: 0.6 },
        { key: 'quoted', probability: 0.9 },
      ]),
    });
    expect(changed.status).toBe(200);
    const probability = await createDeal(id, { amount: { amount_minor: 1_000 } });
    expect(probability.status).toBe(201);
    expect(probability.body.data).toMatchObject({ stage: 'due', probability: 0.6, weighted_amount: { amount_minor: 600 } });

    const moreStages = await other.call({
      method: 'PUT',
      path: `${BASE}/pipelines/${id}`,
      body: body([
        { key: 'due', probability: 0.6 },
        { key: 'quoted', probability: 0.9 },
        { key: 'signed', probability: 0.95 },
      ]),
    });
    expect(moreStages.status).toBe(200);
    const inNewStage = await createDeal(id, { stage: 'signed' });
    expect(inNewStage.status).toBe(201);
    expect(inNewStage.body.data).toMatchObject({ stage: 'signed', probability: 0.95 });

    expect((await other.call({ method: 'DELETE', path: `${BASE}/pipelines/${id}` })).status).toBe(409);
    const unknown = await createDeal(id, { stage: 'nowhere' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('DEAL.UNKNOWN_STAGE');
  });
});
