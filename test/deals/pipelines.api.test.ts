import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_ID } from '../../domain/pipeline/pipeline.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

const stages = (...keys: string[]) => [
  ...keys.map((key, index) => ({ key, label: key.toUpperCase(), kind: 'open', probability: (index + 1) / (keys.length + 2) })),
  { key: 'won', label: 'Won', kind: 'won' },
  { key: 'lost', label: 'Lost', kind: 'lost' },
];
const pipelineBody = (...keys: string[]) => ({ name: 'Enterprise', currency: 'USD', stages: stages(...keys) });

describe.each(availableDialects())('pipelines on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let customerId: string;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    customerId = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id;
  });
  afterAll(() => database.close());

  /** A live deal in a stage, written straight to the table: the rule under test is the database's. */
  const dealIn = (pipelineId: string, stage: string) =>
    sql`insert into customer_mgmt_deals (id, name, pipeline_id, stage, status, currency, primary_customer_id, stage_entered_at, created_at, updated_at)
        values (cast(${randomUUID()} as uuid), 'Deal', cast(${pipelineId} as uuid), ${stage}, 'open', 'USD', cast(${customerId} as uuid), now(), now(), now())`.execute(
      database.db,
    );

  it('a default pipeline exists out of the box', async () => {
    const response = await api.call({ method: 'GET', path: `${BASE}/pipelines/${DEFAULT_PIPELINE_ID}` });
    expect(response.status).toBe(200);
    expect(response.body.data.stages.map((stage: { key: string }) => stage.key)).toEqual([
      'qualification',
      'needs_analysis',
      'proposal',
      'negotiation',
      'won',
      'lost',
    ]);
    expect(response.body.data.lost_reasons).toContain('no_budget');
  });

  it('creates, reads with ETag, replaces (rename, reorder, add a stage) under If-Match, and records each change', async () => {
    const created = await api.call({ method: 'POST', path: `${BASE}/pipelines`, body: pipelineBody('intro', 'demo') });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect(created.headers.location).toBe(`${BASE}/pipelines/${id}`);
    expect(created.body.data.stages[2]).toEqual({ key: 'won', label: 'Won', kind: 'won', probability: 1, forecast_category: 'closed' });

    const unchanged = await api.call({ method: 'GET', path: `${BASE}/pipelines/${id}`, headers: { 'if-none-match': '"1"' } });
    expect(unchanged.status).toBe(304);

    const replaced = await api.call({
      method: 'PUT',
      path: `${BASE}/pipelines/${id}`,
      headers: { 'if-match': '"1"' },
      body: { ...pipelineBody('demo', 'intro', 'trial'), name: 'Enterprise sales' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data).toMatchObject({ name: 'Enterprise sales', version: 2 });
    const stale = await api.call({
      method: 'PUT',
      path: `${BASE}/pipelines/${id}`,
      headers: { 'if-match': '"1"' },
      body: pipelineBody('x'),
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('PIPELINE.VERSION_MISMATCH');

    const events = await api.call({ method: 'GET', path: `${BASE}/events?aggregate_type=pipeline&aggregate_id=${id}` });
    expect(events.body.data.map((event: { event_type: string }) => event.event_type)).toEqual(['PipelineCreated', 'PipelineUpdated']);
    expect(events.body.data[1].data.changes.name).toEqual({ from: 'Enterprise', to: 'Enterprise sales' });
  });

  it('refuses an invalid definition, naming every path', async () => {
    const response = await api.call({
      method: 'POST',
      path: `${BASE}/pipelines`,
      body: { name: 'x', currency: 'usd', stages: [{ key: 'a', label: 'A', kind: 'open', probability: 2 }] },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details.fields.map((issue: { field: string }) => issue.field)).toEqual([
      'currency',
      'stages[0].probability',
      'stages',
      'stages',
    ]);
  });

  it('removing a stage that holds deals is 409 STAGE_IN_USE with the count; deleting a pipeline with deals is 409 IN_USE', async () => {
    const id = (await api.call({ method: 'POST', path: `${BASE}/pipelines`, body: pipelineBody('intro', 'demo') })).body.data.id;
    await dealIn(id, 'demo');
    await dealIn(id, 'demo');
    const removing = await api.call({ method: 'PUT', path: `${BASE}/pipelines/${id}`, body: pipelineBody('intro') });
    expect(removing.status).toBe(409);
    expect(removing.body.error).toMatchObject({ code: 'PIPELINE.STAGE_IN_USE', details: { deal_count: 2 } });
    const keeping = await api.call({ method: 'PUT', path: `${BASE}/pipelines/${id}`, body: pipelineBody('demo') });
    expect(keeping.status).toBe(200);
    const deleting = await api.call({ method: 'DELETE', path: `${BASE}/pipelines/${id}` });
    expect(deleting.status).toBe(409);
    expect(deleting.body.error).toMatchObject({ code: 'PIPELINE.IN_USE', details: { deal_count: 2 } });
    expect((await api.call({ method: 'GET', path: `${BASE}/pipelines/${id}` })).body.data.version).toBe(2);
  });

  it('a pipeline without deals is deleted and gone; a deal cannot enter a stage that no longer exists', async () => {
    const id = (await api.call({ method: 'POST', path: `${BASE}/pipelines`, body: pipelineBody('intro', 'demo') })).body.data.id;
    await api.call({ method: 'PUT', path: `${BASE}/pipelines/${id}`, body: pipelineBody('intro') });
    await expect(dealIn(id, 'demo')).rejects.toThrow(/customer_mgmt_deals_stage_exists|not a stage/);
    expect((await api.call({ method: 'DELETE', path: `${BASE}/pipelines/${id}` })).status).toBe(204);
    expect((await api.call({ method: 'GET', path: `${BASE}/pipelines/${id}` })).status).toBe(404);
    await expect(dealIn(id, 'intro')).rejects.toThrow(/customer_mgmt_deals_stage_exists|not a stage/);
  });

  it('under concurrency, a stage is never retired while a live deal is in it', async () => {
    for (let round = 0; round < 5; round++) {
      const id = (await api.call({ method: 'POST', path: `${BASE}/pipelines`, body: pipelineBody('intro', 'demo') })).body.data.id;
      const [removal, insert] = await Promise.allSettled([
        api.call({ method: 'PUT', path: `${BASE}/pipelines/${id}`, body: pipelineBody('intro') }),
        dealIn(id, 'demo'),
      ]);
      const removed = removal.status === 'fulfilled' && removal.value.status === 200;
      const inserted = insert.status === 'fulfilled';
      expect(removed !== inserted, `round ${round}: exactly one of the two wins`).toBe(true);
      if (!removed) expect(removal.status === 'fulfilled' && removal.value.body.error.code).toBe('PIPELINE.STAGE_IN_USE');
      const { rows } = await sql<{ orphans: string | number }>`
        select count(*) as orphans from customer_mgmt_deals d
        where d.pipeline_id = cast(${id} as uuid) and d.deleted_at is null and not exists (
          select 1 from customer_mgmt_pipeline_stages s where s.pipeline_id = d.pipeline_id and s.key = d.stage and s.active)`.execute(
        database.db,
      );
      expect(Number(rows[0]!.orphans)).toBe(0);
    }
  });

  it('everyone reads pipelines; only admins and managers configure them', async () => {
    for (const role of ['admin', 'manager', 'sales_rep', 'service', 'viewer']) {
      const claims = claimsFor([role], randomUUID());
      expect((await api.call({ method: 'GET', path: `${BASE}/pipelines?limit=1`, claims })).status, role).toBe(200);
      const create = await api.call({ method: 'POST', path: `${BASE}/pipelines`, body: pipelineBody('a'), claims });
      expect(create.status, role).toBe(['admin', 'manager'].includes(role) ? 201 : 403);
    }
  });

  it('lists every pipeline through the cursor, oldest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query = `limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api.call({ method: 'GET', path: `${BASE}/pipelines?${query}` });
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((pipeline: { id: string }) => pipeline.id));
      cursor = page.body.pagination.next_cursor;
    } while (cursor);
    const { rows } = await sql<{
      id: string;
    }>`select id from customer_mgmt_pipelines where deleted_at is null order by created_at, id`.execute(database.db);
    expect(seen).toEqual(rows.map((row) => row.id));
    expect(new Set(seen).size).toBe(seen.length);
  });
});
