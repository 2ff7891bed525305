import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_ID } from '../../domain/pipeline/pipeline.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, steppingClock, type ApiHarness } from '../support/api-harness.js';

describe.each(availableDialects())('deals on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let customerId: string;
  const REP = randomUUID();
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'));
    await api.registerSalesRep(REP);
    customerId = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id;
  });
  afterAll(() => database.close());

  const createDeal = async (overrides: Record<string, unknown> = {}, claims?: Record<string, string>) =>
    api.call({
      method: 'POST',
      path: `${BASE}/deals`,
      body: { name: 'Fleet renewal', primary_customer_id: customerId, amount: { amount_minor: 1_200_000 }, ...overrides },
      ...(claims && { claims }),
    });
  const post = (id: string, command: string, body?: unknown) => api.call({ method: 'POST', path: `${BASE}/deals/${id}/${command}`, body });
  const history = async (id: string) =>
    (await api.call({ method: 'GET', path: `${BASE}/events?aggregate_type=deal&aggregate_id=${id}&limit=100` })).body.data;

  it('creates a deal in the default pipeline’s first open stage, with what the stage derives', async () => {
    const created = await createDeal({ tags: ['Fleet'], expected_close_date: '2026-06-30' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      pipeline_id: DEFAULT_PIPELINE_ID,
      stage: 'qualification',
      status: 'open',
      amount: { amount_minor: 1_200_000, currency: 'EUR' },
      probability: 0.1,
      forecast_category: 'pipeline',
      weighted_amount: { amount_minor: 120_000, currency: 'EUR' },
      days_in_stage: 0,
      expected_close_date: '2026-06-30',
      tags: ['fleet'],
      version: 1,
    });
    expect(created.headers.location).toBe(`${BASE}/deals/${created.body.data.id}`);
    const read = await api.call({ method: 'GET', path: `${BASE}/deals/${created.body.data.id}` });
    expect(read.body.data).toEqual({ ...created.body.data, days_in_stage: 0 });
    expect(
      (await api.call({ method: 'GET', path: `${BASE}/deals/${created.body.data.id}`, headers: { 'if-none-match': read.headers.etag! } }))
        .status,
    ).toBe(304);
  });

  it('moves forward and backward, each DealStageChanged snapshotting stage, probability, category, direction and time in stage', async () => {
    const id = (await createDeal()).body.data.id;
    expect((await post(id, 'stage', { stage: 'proposal' })).body.data).toMatchObject({ stage: 'proposal', probability: 0.5, version: 2 });
    expect((await post(id, 'stage', { stage: 'needs_analysis' })).body.data).toMatchObject({ stage: 'needs_analysis', version: 3 });
    const [, forward, backward] = await history(id);
    expect(forward.data).toMatchObject({
      stage: { from: 'qualification', to: 'proposal' },
      probability: { from: 0.1, to: 0.5 },
      forecast_category: { from: 'pipeline', to: 'best_case' },
      direction: 'forward',
    });
    expect(forward.data.seconds_in_previous_stage).toBeGreaterThan(0);
    expect(backward.data).toMatchObject({ stage: { from: 'proposal', to: 'needs_analysis' }, direction: 'backward' });
  });

  it('wins (closed_at in the past allowed, future refused), reopens into the stage it closed from, loses with a reason', async () => {
    const id = (await createDeal()).body.data.id;
    await post(id, 'stage', { stage: 'negotiation' });
    const future = await post(id, 'win', { closed_at: '2999-01-01T00:00:00Z' });
    expect(future.status).toBe(400);
    const won = await post(id, 'win', { closed_at: '2026-02-01T00:00:00Z' });
    expect(won.body.data).toMatchObject({ status: 'won', stage: 'won', closed_at: '2026-02-01T00:00:00.000Z', probability: 1 });
    const again = await post(id, 'win');
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'DEAL.INVALID_TRANSITION',
      details: { current_status: 'won', allowed_commands: ['reopen'] },
    });
    const reopened = await post(id, 'reopen');
    expect(reopened.body.data).toMatchObject({ status: 'open', stage: 'negotiation', closed_at: null });
    const unknownReason = await post(id, 'lose', { lost_reason: 'weather' });
    expect(unknownReason.status).toBe(422);
    expect(unknownReason.body.error.code).toBe('DEAL.UNKNOWN_LOST_REASON');
    const lost = await post(id, 'lose', { lost_reason: 'competitor', competitor: 'Acme' });
    expect(lost.body.data).toMatchObject({
      status: 'lost',
      lost_reason: 'competitor',
      competitor: 'Acme',
      weighted_amount: { amount_minor: 0 },
    });
    expect((await history(id)).map((event: { event_type: string }) => event.event_type)).toEqual([
      'DealCreated',
      'DealStageChanged',
      'DealWon',
      'DealReopened',
      'DealLost',
    ]);
  });

  it('a move to a won or lost stage names the close command; an unknown stage is 422', async () => {
    const id = (await createDeal()).body.data.id;
    const toWon = await post(id, 'stage', { stage: 'won' });
    expect(toWon.status).toBe(409);
    expect(toWon.body.error).toMatchObject({ code: 'DEAL.USE_CLOSE_COMMAND', details: { command: 'win' } });
    expect((await post(id, 'stage', { stage: 'demo' })).body.error.code).toBe('DEAL.UNKNOWN_STAGE');
  });

  it('refuses a deal without links, with a customer that does not exist, and a taken external id', async () => {
    const unlinked = await createDeal({ primary_customer_id: null });
    expect(unlinked.status).toBe(400);
    expect(unlinked.body.error.details.fields[0].field).toBe('primary_customer_id');
    const ghost = await createDeal({ primary_customer_id: randomUUID() });
    expect(ghost.status).toBe(422);
    expect(ghost.body.error.code).toBe('DEAL.UNKNOWN_CUSTOMER');
    const externalId = `crm-${randomUUID()}`;
    const first = await createDeal({ external_id: externalId });
    const second = await createDeal({ external_id: externalId });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'DEAL.EXTERNAL_ID_TAKEN', details: { existing_deal_id: first.body.data.id } });
  });

  it('a sales rep creates deals they own and sees only those', async () => {
    const rep = claimsFor(['sales_rep'], REP);
    const notTheirs = await createDeal({}, rep);
    expect(notTheirs.status).toBe(422);
    const own = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody(), claims: rep })).body.data.id;
    const created = await createDeal({ primary_customer_id: own }, rep);
    expect(created.status).toBe(201);
    expect(created.body.data.owner_id).toBe(REP);
    const others = (await createDeal()).body.data.id;
    expect((await api.call({ method: 'GET', path: `${BASE}/deals/${others}`, claims: rep })).status).toBe(404);
    const listed = await api.call({ method: 'GET', path: `${BASE}/deals?limit=100`, claims: rep });
    expect(listed.body.data.map((deal: { id: string }) => deal.id)).toEqual([created.body.data.id]);
  });

  it('lists with filters and every sort through the cursor, each deal once', async () => {
    const tag = `t${randomUUID().slice(0, 8)}`;
    const amounts = [500, null, 900, 100, 900];
    for (const [index, amount] of amounts.entries()) {
      await createDeal({ tags: [tag], amount: { amount_minor: amount }, expected_close_date: index % 2 ? null : `2026-0${index + 1}-15` });
    }
    for (const sort of ['-created_at', '-updated_at', 'expected_close_date', '-amount']) {
      const seen: { id: string; amount: { amount_minor: number | null } }[] = [];
      let cursor: string | null = null;
      do {
        const page = await api.call({
          method: 'GET',
          path: `${BASE}/deals?tag=${tag}&sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        });
        expect(page.status, sort).toBe(200);
        seen.push(...page.body.data);
        cursor = page.body.pagination.next_cursor;
      } while (cursor);
      expect(new Set(seen.map((deal) => deal.id)).size, sort).toBe(amounts.length);
      if (sort === '-amount') expect(seen.map((deal) => deal.amount.amount_minor)).toEqual([900, 900, 500, 100, null]);
    }
    const big = await api.call({ method: 'GET', path: `${BASE}/deals?tag=${tag}&currency=EUR&amount_min=500` });
    expect(big.body.data).toHaveLength(3);
    expect((await api.call({ method: 'GET', path: `${BASE}/deals?tag=${tag}&amount_min=500` })).status).toBe(400);
    const pipelineOnly = await api.call({ method: 'GET', path: `${BASE}/deals?tag=${tag}&forecast_category=pipeline` });
    expect(pipelineOnly.body.data).toHaveLength(5);
  });

  it('concurrent win and lose of one deal: exactly one applies, the other is INVALID_TRANSITION', async () => {
    for (let round = 0; round < 4; round++) {
      const id = (await createDeal()).body.data.id;
      const [win, lose] = await Promise.all([post(id, 'win'), post(id, 'lose', { lost_reason: 'price' })]);
      expect([win.status, lose.status].sort()).toEqual([200, 409]);
      const events = await history(id);
      expect(events.map((event: { deal_version: number }) => event.deal_version)).toEqual([1, 2]);
    }
  });

  it('concurrent moves of one deal all apply, in a gapless chain whose snapshots agree', async () => {
    const id = (await createDeal()).body.data.id;
    const targets = ['needs_analysis', 'proposal', 'negotiation', 'qualification'];
    const results = await Promise.all(targets.map((stage) => post(id, 'stage', { stage })));
    expect(JSON.stringify(results.map((result) => [result.status, result.body.error?.code]))).toBe(
      JSON.stringify(targets.map(() => [200, undefined])),
    );
    const events = (await history(id)).slice(1);
    for (let index = 1; index < events.length; index++) {
      expect(events[index].data.stage.from).toBe(events[index - 1].data.stage.to);
    }
  });
});
