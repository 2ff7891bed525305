import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_ID } from '../../domain/pipeline/pipeline.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

const DAY_MS = 86_400_000;
const T0 = Date.parse('2026-01-05T00:00:00.000Z');
/** Sales reps; A sorts before B as text, so grouped answers list A first. */
const REP_A = '019b6ec4-aaaa-7000-8000-00000000000a';
const REP_B = '019b6ec4-aaaa-7000-8000-00000000000b';

const STAGES = [
  { key: 'lead', label: 'Lead', kind: 'open', probability: 0.2, forecast_category: 'pipeline' },
  { key: 'demo', label: 'Demo', kind: 'open', probability: 0.5, forecast_category: 'best_case' },
  { key: 'contract', label: 'Contract', kind: 'open', probability: 0.9, forecast_category: 'commit' },
  { key: 'won', label: 'Won', kind: 'won' },
  { key: 'lost', label: 'Lost', kind: 'lost' },
];

/**
 * The hand-computed fixture (every expected number below is worked out from this table). A
 * pipeline "Fixture" (USD) with lead 0.2 pipeline → demo 0.5 best_case → contract 0.9 commit →
 * won / lost; all deals but D8 and D10 created on day 0 = 2026-01-05T00:00Z; reports read on day
 * 12 = 2026-01-17T00:00Z.
 *
 * | deal | amount     | owner | history (day: event)                     | now                          |
 * |------|------------|-------|------------------------------------------|------------------------------|
 * | D1   | USD 10,000 | A     | 0 lead                                   | lead since day 0, close 02-15 |
 * | D2   | USD 20,000 | A     | 0 lead, 2 demo                           | demo since day 2, close 02-20 |
 * | D3   | EUR 30,000 | B     | 0 lead, 1 demo, 3 contract               | contract since day 3, close 03-10 |
 * | D4   | USD 40,000 | B     | 0 lead, 1 demo, 10 won                   | won 01-15 (cycle 10 days)    |
 * | D5   | USD 5,000  | A     | 0 lead, 4 lost (price)                   | lost 01-09                   |
 * | D6   | EUR 8,000  | A     | 0 lead, 2 contract, 6 won                | won 01-11 (cycle 6 days)     |
 * | D7   | USD 6,000  | —     | 0 lead, 5 lost (competitor); source referral | lost 01-10               |
 * | D8   | USD 1,000  | B     | 1 lead; forecast override commit         | lead since day 1, close 02-01 |
 * | D9   | USD 99,000 | A     | 0 lead, 1 deleted                        | deleted: in no report        |
 * | D10  | EUR 50,000 | A     | default pipeline, 0 qualification (0.1)  | open, close 02-10            |
 */
describe.each(availableDialects())('deal reports on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let pipelineId: string;
  let now = T0;
  const day = (n: number) => {
    now = T0 + n * DAY_MS;
  };
  const get = async (path: string, claims?: Record<string, string>) => {
    const response = await api.call({ method: 'GET', path: `${BASE}${path}`, ...(claims && { claims }) });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.data;
  };
  const post = async (id: string, command: string, body?: unknown) => {
    const response = await api.call({ method: 'POST', path: `${BASE}/deals/${id}/${command}`, body });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  };

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, () => new Date(now));
    await api.registerSalesRep(REP_A);
    await api.registerSalesRep(REP_B);
    const customer = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id;
    pipelineId = (await api.call({ method: 'POST', path: `${BASE}/pipelines`, body: { name: 'Fixture', currency: 'USD', stages: STAGES } }))
      .body.data.id;
    const deal = async (amount: number, currency: string, owner: string | null, extra: Record<string, unknown> = {}) => {
      const created = await api.call({
        method: 'POST',
        path: `${BASE}/deals`,
        body: {
          name: 'Fixture deal',
          pipeline_id: pipelineId,
          primary_customer_id: customer,
          amount: { amount_minor: amount, currency },
          owner_id: owner,
          ...extra,
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.data.id as string;
    };
    day(0);
    const d1 = await deal(10_000, 'USD', REP_A, { expected_close_date: '2026-02-15' });
    const d2 = await deal(20_000, 'USD', REP_A, { expected_close_date: '2026-02-20' });
    const d3 = await deal(30_000, 'EUR', REP_B, { expected_close_date: '2026-03-10' });
    const d4 = await deal(40_000, 'USD', REP_B);
    const d5 = await deal(5_000, 'USD', REP_A);
    const d6 = await deal(8_000, 'EUR', REP_A);
    const d7 = await deal(6_000, 'USD', null, { source: 'referral' });
    const d9 = await deal(99_000, 'USD', REP_A, { expected_close_date: '2026-02-15' });
    await deal(50_000, 'EUR', REP_A, { pipeline_id: DEFAULT_PIPELINE_ID, expected_close_date: '2026-02-10' });
    void d1;
    day(1);
    await deal(1_000, 'USD', REP_B, { expected_close_date: '2026-02-01', forecast_category_override: 'commit' });
    await post(d3, 'stage', { stage: 'demo' });
    await post(d4, 'stage', { stage: 'demo' });
    expect((await api.call({ method: 'DELETE', path: `${BASE}/deals/${d9}` })).status).toBe(204);
    day(2);
    await post(d2, 'stage', { stage: 'demo' });
    await post(d6, 'stage', { stage: 'contract' });
    day(3);
    await post(d3, 'stage', { stage: 'contract' });
    day(4);
    await post(d5, 'lose', { lost_reason: 'price' });
    day(5);
    await post(d7, 'lose', { lost_reason: 'competitor' });
    day(6);
    await post(d6, 'win');
    day(10);
    await post(d4, 'win');
    day(12);
    fixtureDeals.d2 = d2;
  }, 120_000);
  const fixtureDeals: { d2?: string } = {};
  afterAll(() => database.close());

  it('pipeline: per open stage in pipeline order, count, amount and weighted amount per currency, average days in stage', async () => {
    const report = await get(`/reports/pipeline?pipeline_id=${pipelineId}`);
    expect(report).toEqual({
      pipeline_id: pipelineId,
      pipeline_name: 'Fixture',
      as_of: '2026-01-17T00:00:00.000Z',
      stages: [
        {
          key: 'lead',
          label: 'Lead',
          probability: 0.2,
          forecast_category: 'pipeline',
          // D1 (12 days) and D8 (11 days): (12 + 11) / 2 = 11.5; weighted 10,000 × 0.2 + 1,000 × 0.2 = 2,200
          deals: 2,
          average_days_in_stage: 11.5,
          currencies: [{ currency: 'USD', deals: 2, amount_minor: 11_000, weighted_amount_minor: 2_200 }],
        },
        {
          key: 'demo',
          label: 'Demo',
          probability: 0.5,
          forecast_category: 'best_case',
          // D2 since day 2: 10 days; 20,000 × 0.5
          deals: 1,
          average_days_in_stage: 10,
          currencies: [{ currency: 'USD', deals: 1, amount_minor: 20_000, weighted_amount_minor: 10_000 }],
        },
        {
          key: 'contract',
          label: 'Contract',
          probability: 0.9,
          forecast_category: 'commit',
          // D3 since day 3: 9 days; 30,000 × 0.9
          deals: 1,
          average_days_in_stage: 9,
          currencies: [{ currency: 'EUR', deals: 1, amount_minor: 30_000, weighted_amount_minor: 27_000 }],
        },
      ],
      // Never mixed: EUR is D3 alone; USD is D1 + D8 + D2 (2,200 + 10,000 weighted). D9 is deleted, D10 in another pipeline.
      totals: [
        { currency: 'EUR', deals: 1, amount_minor: 30_000, weighted_amount_minor: 27_000 },
        { currency: 'USD', deals: 3, amount_minor: 31_000, weighted_amount_minor: 12_200 },
      ],
    });
    // Filters: owner A has D1 and D2; in EUR only D3 is left.
    const ownerA = await get(`/reports/pipeline?pipeline_id=${pipelineId}&owner_id=${REP_A}`);
    expect(ownerA.stages.map((stage: { deals: number }) => stage.deals)).toEqual([1, 1, 0]);
    expect(ownerA.totals).toEqual([{ currency: 'USD', deals: 2, amount_minor: 30_000, weighted_amount_minor: 12_000 }]);
    const euro = await get(`/reports/pipeline?pipeline_id=${pipelineId}&currency=EUR`);
    expect(euro.totals).toEqual([{ currency: 'EUR', deals: 1, amount_minor: 30_000, weighted_amount_minor: 27_000 }]);
    // Without pipeline_id: the default pipeline, where D10 (50,000 × 0.1) waits in qualification.
    const defaults = await get('/reports/pipeline');
    expect(defaults.totals).toEqual([{ currency: 'EUR', deals: 1, amount_minor: 50_000, weighted_amount_minor: 5_000 }]);
  });

  it('forecast: per month, won deals by closed_at and open deals by expected close date, by forecast category (override wins)', async () => {
    const report = await get(`/reports/forecast?pipeline_id=${pipelineId}&period=month&from=2026-01-01&to=2026-03-31`);
    const zero = { closed_won_minor: 0, commit_minor: 0, best_case_minor: 0, pipeline_minor: 0 };
    expect(report).toEqual({
      period: 'month',
      group_by: 'none',
      pipeline_id: pipelineId,
      periods: [
        {
          label: '2026-01',
          start: '2026-01-01',
          end: '2026-01-31',
          // Won in January: D6 (EUR 8,000, 01-11) and D4 (USD 40,000, 01-15); a won deal weighs its whole amount.
          figures: [
            { currency: 'EUR', deals: 1, ...zero, closed_won_minor: 8_000, weighted_minor: 8_000 },
            { currency: 'USD', deals: 1, ...zero, closed_won_minor: 40_000, weighted_minor: 40_000 },
          ],
        },
        {
          label: '2026-02',
          start: '2026-02-01',
          end: '2026-02-28',
          // D8 commit (override) 1,000; D2 best case 20,000; D1 pipeline 10,000;
          // weighted 1,000 × 0.2 + 20,000 × 0.5 + 10,000 × 0.2 = 200 + 10,000 + 2,000 = 12,200 (the override changes the category, not the probability)
          figures: [
            {
              currency: 'USD',
              deals: 3,
              ...zero,
              commit_minor: 1_000,
              best_case_minor: 20_000,
              pipeline_minor: 10_000,
              weighted_minor: 12_200,
            },
          ],
        },
        {
          label: '2026-03',
          start: '2026-03-01',
          end: '2026-03-31',
          // D3 commit 30,000 × 0.9 = 27,000
          figures: [{ currency: 'EUR', deals: 1, ...zero, commit_minor: 30_000, weighted_minor: 27_000 }],
        },
      ],
    });
  });

  it('forecast: by quarter, by owner, and over every pipeline', async () => {
    const quarter = await get(`/reports/forecast?pipeline_id=${pipelineId}&period=quarter&from=2026-02-14&to=2026-02-14`);
    // The quarter holding 02-14 is Q1: the three months above added up, per currency.
    expect(quarter.periods).toEqual([
      {
        label: '2026-Q1',
        start: '2026-01-01',
        end: '2026-03-31',
        figures: [
          // EUR: D6 won 8,000 + D3 commit 30,000; weighted 8,000 + 27,000
          {
            currency: 'EUR',
            deals: 2,
            closed_won_minor: 8_000,
            commit_minor: 30_000,
            best_case_minor: 0,
            pipeline_minor: 0,
            weighted_minor: 35_000,
          },
          // USD: D4 won 40,000 + February's 12,200
          {
            currency: 'USD',
            deals: 4,
            closed_won_minor: 40_000,
            commit_minor: 1_000,
            best_case_minor: 20_000,
            pipeline_minor: 10_000,
            weighted_minor: 52_200,
          },
        ],
      },
    ]);
    const byOwner = await get(`/reports/forecast?pipeline_id=${pipelineId}&from=2026-02-01&to=2026-02-28&group_by=owner`);
    expect(byOwner.periods[0].figures).toEqual([
      // A: D1 + D2, weighted 2,000 + 10,000; B: D8, weighted 200
      {
        owner_id: REP_A,
        currency: 'USD',
        deals: 2,
        closed_won_minor: 0,
        commit_minor: 0,
        best_case_minor: 20_000,
        pipeline_minor: 10_000,
        weighted_minor: 12_000,
      },
      {
        owner_id: REP_B,
        currency: 'USD',
        deals: 1,
        closed_won_minor: 0,
        commit_minor: 1_000,
        best_case_minor: 0,
        pipeline_minor: 0,
        weighted_minor: 200,
      },
    ]);
    // Every pipeline: February gains D10 (EUR 50,000 pipeline, weighted 50,000 × 0.1 = 5,000).
    const all = await get('/reports/forecast?from=2026-02-01&to=2026-02-28');
    expect(all.periods[0].figures[0]).toEqual({
      currency: 'EUR',
      deals: 1,
      closed_won_minor: 0,
      commit_minor: 0,
      best_case_minor: 0,
      pipeline_minor: 50_000,
      weighted_minor: 5_000,
    });
  });

  it('win rate: won / (won + lost) of the deals closed in the window, by count and per currency by amount, with lost reasons', async () => {
    const report = await get('/reports/win-rate?from=2026-01-01&to=2026-02-01');
    expect(report).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      group_by: 'none',
      other_groups: 0,
      groups: [
        {
          key: null,
          // Won D4, D6; lost D5, D7: 2 / 4
          won: 2,
          lost: 2,
          win_rate: 0.5,
          currencies: [
            { currency: 'EUR', won: 1, lost: 0, won_minor: 8_000, lost_minor: 0, win_rate_by_amount: 1 },
            // 40,000 / (40,000 + 5,000 + 6,000) = 0.78431…
            { currency: 'USD', won: 1, lost: 2, won_minor: 40_000, lost_minor: 11_000, win_rate_by_amount: 0.7843 },
          ],
          lost_reasons: [
            { reason: 'competitor', deals: 1, share: 0.5 },
            { reason: 'price', deals: 1, share: 0.5 },
          ],
        },
      ],
    });
    const byOwner = await get('/reports/win-rate?from=2026-01-01&to=2026-02-01&group_by=owner');
    // A: D6 won, D5 lost; B: D4 won; no owner: D7 lost. Most closed first, then by key.
    expect(byOwner.groups.map((group: { key: string | null; won: number; lost: number }) => [group.key, group.won, group.lost])).toEqual([
      [REP_A, 1, 1],
      [REP_B, 1, 0],
      [null, 0, 1],
    ]);
    const bySource = await get('/reports/win-rate?from=2026-01-01&to=2026-02-01&group_by=source');
    expect(bySource.groups.map((group: { key: string; win_rate: number }) => [group.key, group.win_rate])).toEqual([
      ['unknown', 0.6667],
      ['referral', 0],
    ]);
    const byPipeline = await get('/reports/win-rate?from=2026-01-01&to=2026-02-01&group_by=pipeline');
    expect(byPipeline.groups.map((group: { key: string }) => group.key)).toEqual([pipelineId]);
    // A window before anything closed answers no group.
    expect((await get('/reports/win-rate?from=2025-01-01&to=2025-12-31')).groups).toEqual([]);
  });

  it('sales velocity: open deals × average won amount × win rate ÷ average sales cycle, per currency, each factor shown', async () => {
    const report = await get('/reports/sales-velocity?from=2026-01-01&to=2026-02-01');
    expect(report.currencies).toEqual([
      // EUR: open D3 and D10 = 2; won D6 8,000 in 6 days, nothing lost: 2 × 8,000 × 1 ÷ 6 = 2,666.67 → 2,667
      {
        currency: 'EUR',
        open_deals: 2,
        won: 1,
        lost: 0,
        win_rate: 1,
        average_won_minor: 8_000,
        average_sales_cycle_days: 6,
        velocity_minor_per_day: 2_667,
      },
      // USD: open D1, D2, D8 = 3 (D9 deleted); won D4 40,000 in 10 days, lost D5 and D7: 3 × 40,000 × 1/3 ÷ 10 = 4,000
      {
        currency: 'USD',
        open_deals: 3,
        won: 1,
        lost: 2,
        win_rate: 0.3333,
        average_won_minor: 40_000,
        average_sales_cycle_days: 10,
        velocity_minor_per_day: 4_000,
      },
    ]);
  });

  it('sales velocity counts a deal won within a day (or closed before it was created) as a one-day cycle', async () => {
    // Default pipeline, CHF, closed in 2024: outside every other test's pipeline, currency and window.
    const customerId = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id;
    const created = await api.call({
      method: 'POST',
      path: `${BASE}/deals`,
      body: {
        name: 'Quick win',
        pipeline_id: DEFAULT_PIPELINE_ID,
        amount: { amount_minor: 7_000, currency: 'CHF' },
        primary_customer_id: customerId,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await post(created.body.data.id, 'win', { closed_at: '2024-06-03T10:00:00.000Z' });
    const report = await get('/reports/sales-velocity?from=2024-06-01&to=2024-07-01');
    // No CHF deal is open: 0 × 7,000 × 1 ÷ 1 = 0 per day, not a division by a cycle of 0 days.
    expect(report.currencies.filter((row: { currency: string }) => row.currency === 'CHF')).toEqual([
      {
        currency: 'CHF',
        open_deals: 0,
        won: 1,
        lost: 0,
        win_rate: 1,
        average_won_minor: 7_000,
        average_sales_cycle_days: 1,
        velocity_minor_per_day: 0,
      },
    ]);
  });

  it('stage conversion: reached and won per stage from the deals’ events, true to history after stages are relabelled and removed', async () => {
    const path = `/reports/stage-conversion?pipeline_id=${pipelineId}&from=2026-01-01&to=2026-02-01`;
    const before = await get(path);
    const stage = (key: string, label: string | null, kind: string | null, reached: number, won: number, winRate: number | null) => ({
      key,
      label,
      kind,
      removed: label === null,
      reached,
      won,
      win_rate: winRate,
    });
    // Cohort: D1–D8 (D9 deleted, D10 elsewhere). Won now: D4, D6.
    expect(before).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      pipeline_id: pipelineId,
      deals: 8,
      stages: [
        stage('lead', 'Lead', 'open', 8, 2, 0.25), // every deal starts in lead
        stage('demo', 'Demo', 'open', 3, 1, 0.3333), // D2, D3, D4; D4 won
        stage('contract', 'Contract', 'open', 2, 1, 0.5), // D3, D6; D6 won
        stage('won', 'Won', 'won', 2, 2, 1),
        stage('lost', 'Lost', 'lost', 2, 0, 0), // D5, D7
      ],
    });
    // D2 leaves demo (backwards: lead was reached already), then demo is removed and lead relabelled.
    await post(fixtureDeals.d2!, 'stage', { stage: 'lead' });
    const edited = await api.call({
      method: 'PUT',
      path: `${BASE}/pipelines/${pipelineId}`,
      body: {
        name: 'Fixture',
        currency: 'USD',
        stages: [
          { ...STAGES[0], label: 'Prospecting' },
          { key: 'trial', label: 'Trial', kind: 'open', probability: 0.6 },
          ...STAGES.slice(2),
        ],
      },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect((await get(path)).stages).toEqual([
      stage('lead', 'Prospecting', 'open', 8, 2, 0.25),
      stage('trial', 'Trial', 'open', 0, 0, null),
      stage('contract', 'Contract', 'open', 2, 1, 0.5),
      stage('won', 'Won', 'won', 2, 2, 1),
      stage('lost', 'Lost', 'lost', 2, 0, 0),
      stage('demo', null, null, 3, 1, 0.3333), // removed, still counted
    ]);
  });

  it('a sales rep sees only their own deals in every report; service callers have none; viewers read', async () => {
    const repA = claimsFor(['sales_rep'], REP_A);
    const pipeline = await get(`/reports/pipeline?pipeline_id=${pipelineId}`, repA);
    expect(pipeline.totals.map((total: { currency: string; deals: number }) => [total.currency, total.deals])).toEqual([['USD', 2]]);
    // Asking for another owner's deals finds none of them.
    expect((await get(`/reports/pipeline?pipeline_id=${pipelineId}&owner_id=${REP_B}`, repA)).totals).toEqual([]);
    const winRate = await get('/reports/win-rate?from=2026-01-01&to=2026-02-01&group_by=owner', repA);
    expect(winRate.groups.map((group: { key: string }) => group.key)).toEqual([REP_A]);
    const velocity = await get('/reports/sales-velocity?from=2026-01-01&to=2026-02-01', repA);
    // A: open D1, D2, D10; EUR won D6 (6 days), USD lost D5.
    expect(
      velocity.currencies.map((row: { currency: string; open_deals: number; won: number; lost: number }) => [
        row.currency,
        row.open_deals,
        row.won,
        row.lost,
      ]),
    ).toEqual([
      ['EUR', 1, 1, 0],
      ['USD', 2, 0, 1],
    ]);
    expect((await get(`/reports/stage-conversion?pipeline_id=${pipelineId}&from=2026-01-01&to=2026-02-01`, repA)).deals).toBe(4);
    const forecast = await get(`/reports/forecast?from=2026-02-01&to=2026-02-28&group_by=owner`, claimsFor(['sales_rep'], REP_B));
    expect(forecast.periods[0].figures.map((row: { owner_id: string }) => row.owner_id)).toEqual([REP_B]);
    for (const path of [
      '/reports/pipeline',
      '/reports/forecast',
      '/reports/win-rate',
      '/reports/sales-velocity',
      '/reports/stage-conversion',
    ]) {
      const service = await api.call({ method: 'GET', path: `${BASE}${path}`, claims: claimsFor(['service'], REP_A) });
      expect(service.status, path).toBe(403);
      await get(path, claimsFor(['viewer'], REP_A));
    }
  });

  it('refuses bad parameters with the field that is wrong, and an unknown pipeline with 404', async () => {
    const refused = async (path: string, field: string) => {
      const response = await api.call({ method: 'GET', path: `${BASE}${path}` });
      expect(response.status, path).toBe(400);
      expect(
        response.body.error.details.fields.map((issue: { field: string }) => issue.field),
        path,
      ).toContain(field);
    };
    await refused('/reports/win-rate?from=2026-02-01&to=2026-01-01', 'from');
    await refused('/reports/sales-velocity?from=2024-01-01&to=2026-01-03', 'to');
    await refused('/reports/stage-conversion?from=yesterday', 'from');
    await refused('/reports/forecast?from=2026-01-01&to=2028-01-01', 'to');
    await refused('/reports/forecast?period=week', 'period');
    await refused('/reports/forecast?from=2026-03-01&to=2026-01-01', 'from');
    await refused('/reports/pipeline?currency=eur', 'currency');
    await refused('/reports/pipeline?pipeline_id=42', 'pipeline_id');
    await refused('/reports/win-rate?group_by=region', 'group_by');
    await refused('/reports/win-rate?from=2026-01-01&from=2026-01-02', 'from');
    await refused('/reports/pipeline?limit=5', 'limit');
    const ghost = '019b6ec4-0000-7000-8000-0000000000ff';
    for (const path of [`/reports/pipeline?pipeline_id=${ghost}`, `/reports/stage-conversion?pipeline_id=${ghost}`]) {
      const response = await api.call({ method: 'GET', path: `${BASE}${path}` });
      expect(response.status, path).toBe(404);
      expect(response.body.error.code).toBe('PIPELINE.NOT_FOUND');
    }
    // from = to is an empty window, not an error.
    expect((await get('/reports/win-rate?from=2026-01-01&to=2026-01-01')).groups).toEqual([]);
  });
  it('each report is one statement: one Data API call', async () => {
    if (!database.endpoint) return;
    for (const path of [
      `/reports/pipeline?pipeline_id=${pipelineId}`,
      '/reports/forecast?group_by=owner',
      '/reports/win-rate?group_by=source',
      '/reports/sales-velocity',
      `/reports/stage-conversion?pipeline_id=${pipelineId}`,
    ]) {
      database.endpoint.resetCallCount();
      await get(path);
      expect(database.endpoint.callCount(), path).toBe(1);
    }
  });

  it('reads one snapshot while deals move concurrently: every answer counts each open deal exactly once', async () => {
    const race = (await api.call({ method: 'POST', path: `${BASE}/pipelines`, body: { name: 'Race', currency: 'USD', stages: STAGES } }))
      .body.data.id;
    const customer = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id;
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) {
      const created = await api.call({
        method: 'POST',
        path: `${BASE}/deals`,
        body: { name: `Race ${n}`, pipeline_id: race, primary_customer_id: customer, amount: { amount_minor: 1_000 } },
      });
      ids.push(created.body.data.id);
    }
    const route = ['demo', 'contract', 'lead', 'contract', 'demo', 'lead'];
    const moves = ids.map(async (id, n) => {
      for (let step = 0; step < route.length; step++) await post(id, 'stage', { stage: route[(step + n) % route.length] });
    });
    const reads = Array.from({ length: 3 }, async () => {
      const seen = [];
      for (let read = 0; read < 6; read++) seen.push(await get(`/reports/pipeline?pipeline_id=${race}`));
      return seen;
    });
    const [, ...answers] = await Promise.all([Promise.all(moves), ...reads]);
    for (const report of answers.flat()) {
      expect(report.stages.reduce((sum: number, stage: { deals: number }) => sum + stage.deals, 0)).toBe(6);
      expect(report.totals).toEqual([expect.objectContaining({ currency: 'USD', deals: 6, amount_minor: 6_000 })]);
    }
  });
});
