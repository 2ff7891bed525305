import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohortRetention } from '../../domain/analytics/cohorts.js';
import { summarisePurchases, type AnalyticsOrder } from '../../domain/analytics/customer-summary.js';
import { scoreInsights } from '../../domain/analytics/customer-insight.js';
import { RFM_SEGMENTS } from '../../domain/analytics/rfm-segments.js';
import type { CurrencyCode } from '../../domain/shared/money.js';
import { EVENT_CATALOGUE } from '../../functions/event-catalogue.js';
import { checkedDetail } from '../../functions/events/event-envelope.js';
import { rowToEvent } from '../../functions/events/event-table.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';
import { FIXTURE_AS_OF, feedOrders, variedOrders, type FixtureOrder } from '../support/analytics-fixture.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const CUSTOMERS = 60;
const REP = randomUUID();
const LATER_AS_OF = '2026-06-30T00:00:00.000Z';

const toAnalyticsOrder = (order: FixtureOrder): AnalyticsOrder => ({
  customerId: order.customerId,
  placedAt: `${order.day}T12:00:00.000Z`,
  state: 'placed',
  total: { amountMinor: order.totalMinor, currency: (order.currency ?? 'USD') as CurrencyCode },
});

describe.each(availableDialects())('analytics API on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let ids: string[];
  let orders: FixtureOrder[];
  let firstRun: any;
  const get = (path: string, claims?: Record<string, unknown>) =>
    api.call({ method: 'GET', path: `${BASE}${path}`, ...(claims && { claims }) });
  const runTo = async (asOf: string) => {
    const started = await api.call({ method: 'POST', path: `${BASE}/analytics/runs`, body: { as_of: asOf } });
    expect(started.status).toBe(202);
    await api.services.analytics.idle();
    return (await get(`/analytics/runs/${started.body.data.id}`)).body.data;
  };
  const insightEvents = async () =>
    (
      await sql<any>`select * from customer_mgmt_events where aggregate_type = 'customer_insight' order by position`.execute(database.db)
    ).rows.map(rowToEvent);

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    await api.registerSalesRep(REP);
    ids = [];
    for (let index = 0; index < CUSTOMERS; index++) {
      const body = newCustomerBody(index < 5 ? { assigned_to: REP } : {});
      ids.push((await api.call({ method: 'POST', path: `${BASE}/customers`, body })).body.data.id);
    }
    orders = variedOrders(ids);
    await feedOrders(database.db, orders);

    // While the first run is queued, concurrent requests for another get 409: one run at a time.
    const attempts = await Promise.all(
      Array.from({ length: 4 }, () => api.call({ method: 'POST', path: `${BASE}/analytics/runs`, body: { as_of: FIXTURE_AS_OF } })),
    );
    expect(attempts.map((attempt) => attempt.status).sort()).toEqual([202, 409, 409, 409]);
    const accepted = attempts.find((attempt) => attempt.status === 202)!;
    expect(accepted.headers.location).toBe(`${BASE}/analytics/runs/${accepted.body.data.id}`);
    for (const refused of attempts.filter((attempt) => attempt.status === 409)) {
      expect(refused.body.error).toMatchObject({ code: 'ANALYTICS.RUN_IN_PROGRESS', details: { run_id: accepted.body.data.id } });
    }
    await api.services.analytics.idle();
    firstRun = (await get(`/analytics/runs/${accepted.body.data.id}`)).body.data;
  }, 600_000);
  afterAll(() => database.close());

  it('a run scores every customer with orders and reports the currency it could not model', () => {
    expect(firstRun).toMatchObject({
      state: 'succeeded',
      phase: null,
      triggered_by: 'api',
      as_of: FIXTURE_AS_OF,
      customers_scored: CUSTOMERS,
      events_emitted: CUSTOMERS,
      invocations: 1,
      error: null,
      skipped_currencies: [{ currency: 'EUR', reason: expect.stringContaining('repeat') }],
    });
    expect(firstRun.models).toEqual([{ id: expect.any(String), currency: 'USD' }]);
  });

  it('GET /customers/{id}/insights: the stored scores are the domain’s scores of that customer’s own history', async () => {
    const model = (await get(`/analytics/models/${firstRun.models[0].id}`)).body.data;
    const summaries = summarisePurchases(orders.map(toAnalyticsOrder), FIXTURE_AS_OF).filter((summary) => summary.currency === 'USD');
    const stored = await api.services.analytics.models.get(model.id);
    const expected = scoreInsights({ parameters: stored!, cutPoints: stored!.cutPoints }, summaries, FIXTURE_AS_OF, stored!.settings);
    for (const index of [0, 7, 13, 29, 44]) {
      const response = await get(`/customers/${ids[index]}/insights`);
      expect(response.status).toBe(200);
      const [insight] = response.body.data;
      const want = expected.find((candidate) => candidate.customerId === ids[index])!;
      expect(insight).toMatchObject({
        customer_id: ids[index],
        currency: 'USD',
        model_id: model.id,
        rfm: {
          recency_days: want.recencyDays,
          frequency: want.transactions,
          monetary_minor: want.totalSpendMinor,
          recency_score: want.recencyScore,
          frequency_score: want.frequencyScore,
          monetary_score: want.monetaryScore,
          segment: want.segment,
        },
        churn_risk: { band: want.churnRisk },
      });
      expect(insight.p_alive).toBeCloseTo(want.pAlive, 9);
      expect(insight.clv_minor).toBeCloseTo(want.clv, 6);
      expect(insight.churn_risk.score).toBeCloseTo(want.churnRiskScore, 9);
    }
    expect((await get(`/customers/${randomUUID()}/insights`)).body.error.code).toBe('CUSTOMER.NOT_FOUND');
  });

  it('GET /analytics/models/{id}: parameters, counts and window; an unknown id is 404', async () => {
    const response = await get(`/analytics/models/${firstRun.models[0].id}`);
    expect(response.body.data).toMatchObject({
      run_id: firstRun.id,
      currency: 'USD',
      as_of: FIXTURE_AS_OF,
      customers: CUSTOMERS,
      fitted_customers: CUSTOMERS,
      converged: true,
      bg_nbd: { r: expect.any(Number), alpha: expect.any(Number), a: expect.any(Number), b: expect.any(Number) },
      settings: { horizon_weeks: 52, clv_months: 12, monthly_discount_rate: 0.01 },
    });
    expect(response.body.data.data_from.startsWith('2025-01')).toBe(true);
    const unknown = await get(`/analytics/models/${randomUUID()}`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'ANALYTICS.MODEL_NOT_FOUND']);
    const run = await get(`/analytics/runs/${randomUUID()}`);
    expect([run.status, run.body.error.code]).toEqual([404, 'ANALYTICS.RUN_NOT_FOUND']);
  });

  it('GET /analytics/rfm/segments: all ten segments, adding up to every customer and all revenue', async () => {
    const response = await get('/analytics/rfm/segments?currency=USD');
    expect(response.status).toBe(200);
    const { data } = response.body;
    expect(data.segments.map((row: any) => row.segment)).toEqual([...RFM_SEGMENTS]);
    expect(data.segments.reduce((sum: number, row: any) => sum + row.customers, 0)).toBe(CUSTOMERS);
    const revenue = orders.filter((order) => !order.currency).reduce((sum, order) => sum + order.totalMinor, 0);
    expect(data.revenue_minor).toBe(revenue);
    expect(data.segments.reduce((sum: number, row: any) => sum + row.revenue_share, 0)).toBeCloseTo(1, 9);
    const before = await get('/analytics/rfm/segments?currency=USD&as_of=2024-01-01');
    expect([before.status, before.body.error.code]).toEqual([404, 'ANALYTICS.NOT_COMPUTED']);
    expect((await get('/analytics/rfm/segments?currency=EUR')).body.error.code).toBe('ANALYTICS.NOT_COMPUTED');
    expect((await get('/analytics/rfm/segments?currency=usd')).status).toBe(400);
  });

  it('GET /analytics/customers pages through a currency by CLV (or P(alive)), every customer once, filters applied', async () => {
    for (const sort of ['-clv', '-p_alive'] as const) {
      const seen: any[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await get(`/analytics/customers?currency=USD&sort=${sort}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.data);
        cursor = page.body.pagination.next_cursor;
      } while (cursor);
      expect(new Set(seen.map((row) => row.customer_id)).size).toBe(CUSTOMERS);
      const key = (row: any) => (sort === '-clv' ? row.clv_minor : row.p_alive);
      for (let index = 1; index < seen.length; index++) expect(key(seen[index - 1])).toBeGreaterThanOrEqual(key(seen[index]));
    }
    const high = (await get('/analytics/customers?currency=USD&churn_risk=high&limit=100')).body.data;
    expect(high.length).toBeGreaterThan(0);
    expect(high.every((row: any) => row.churn_risk.band === 'high')).toBe(true);
    const segment = high[0].rfm.segment;
    const inSegment = (await get(`/analytics/customers?currency=USD&segment=${segment}&limit=100`)).body.data;
    expect(inSegment.every((row: any) => row.rfm.segment === segment)).toBe(true);
    const first = (await get('/analytics/customers?currency=USD&sort=-clv&limit=1')).body.pagination.next_cursor;
    const mismatch = await get(`/analytics/customers?currency=USD&sort=-p_alive&cursor=${first}`);
    expect([mismatch.status, mismatch.body.error.details.fields[0].field]).toEqual([400, 'cursor']);
  });

  it('GET /customers?segment=&churn_risk= answers the customers whose stored insight matches', async () => {
    const high = (await get('/analytics/customers?currency=USD&churn_risk=high&limit=100')).body.data.map((row: any) => row.customer_id);
    const listed = (await get('/customers?churn_risk=high&limit=100')).body.data.map((row: any) => row.id);
    expect([...listed].sort()).toEqual([...high].sort());
    const any = (await get('/analytics/customers?currency=USD&limit=1')).body.data[0];
    const bySegment = (await get(`/customers?segment=${any.rfm.segment}&limit=100`)).body.data.map((row: any) => row.id);
    expect(bySegment).toContain(any.customer_id);
  });

  it('sales reps see the insights of their own customers only; runs, models and reports are not theirs', async () => {
    const rep = claimsFor(['sales_rep'], REP);
    expect((await get(`/customers/${ids[0]}/insights`, rep)).status).toBe(200);
    expect((await get(`/customers/${ids[10]}/insights`, rep)).body.error.code).toBe('CUSTOMER.NOT_FOUND');
    const listed = (await get('/analytics/customers?currency=USD&limit=100', rep)).body.data.map((row: any) => row.customer_id);
    expect([...listed].sort()).toEqual(ids.slice(0, 5).sort());
    for (const path of ['/analytics/rfm/segments?currency=USD', `/analytics/runs/${firstRun.id}`, '/reports/lifecycle-funnel']) {
      expect((await get(path, rep)).status, path).toBe(403);
    }
    const viewer = claimsFor(['viewer'], randomUUID());
    expect((await get('/analytics/rfm/segments?currency=USD', viewer)).status).toBe(200);
    expect((await api.call({ method: 'POST', path: `${BASE}/analytics/runs`, claims: viewer })).status).toBe(403);
  });

  it('CustomerChurnRiskChanged: one per customer on the first run (from null), none when nothing moved, then only the moves', async () => {
    const first = await insightEvents();
    expect(first).toHaveLength(CUSTOMERS);
    for (const event of first) {
      expect(checkedDetail(event, EVENT_CATALOGUE).ok, JSON.stringify(event)).toBe(true);
      expect(event.data.changes).toEqual({ churn_risk: { from: null, to: expect.stringMatching(/^(low|medium|high)$/) } });
      expect(event.aggregateVersion).toBe(1);
    }
    const bandBefore = new Map(first.map((event) => [event.data.customer_id as string, (event.data.changes as any).churn_risk.to]));

    const again = await runTo(FIXTURE_AS_OF);
    expect([again.state, again.events_emitted]).toEqual(['succeeded', 0]);
    expect(await insightEvents()).toHaveLength(CUSTOMERS);

    // Half a year without orders: risk rises for those who were not already high.
    const later = await runTo(LATER_AS_OF);
    const moved = (await insightEvents()).slice(CUSTOMERS);
    expect(later.events_emitted).toBe(moved.length);
    expect(moved.length).toBeGreaterThan(0);
    for (const event of moved) {
      const change = (event.data.changes as any).churn_risk;
      expect(change.from).toBe(bandBefore.get(event.data.customer_id as string));
      expect(change.to).not.toBe(change.from);
      expect(event.aggregateVersion).toBe(2);
      expect(event.data.as_of).toBe(LATER_AS_OF);
      const now = (await get(`/customers/${event.data.customer_id}/insights`)).body.data[0];
      expect(now.churn_risk.band).toBe(change.to);
    }
    const unchanged = ids.filter((id) => !moved.some((event) => event.data.customer_id === id));
    for (const id of unchanged.slice(0, 5))
      expect((await get(`/customers/${id}/insights`)).body.data[0].churn_risk.band).toBe(bandBefore.get(id));
  });

  it('GET /reports/cohorts: the monthly cohorts the domain computes from the same orders, a keyset page at a time', async () => {
    const now = api.services.analytics.now();
    const expected = cohortRetention(orders.map(toAnalyticsOrder), 'USD' as CurrencyCode, now.toISOString());
    const rows: any[] = [];
    let after: string | null = null;
    do {
      const page: any = await get(`/reports/cohorts?currency=USD&limit=2${after ? `&after=${after}` : ''}`);
      expect(page.status).toBe(200);
      rows.push(...page.body.data);
      after = page.body.pagination.next_cursor;
    } while (after);
    expect(rows.map((row) => ({ cohort: row.cohort, customers: row.customers, returning: row.returning }))).toEqual(
      expected.map((row) => ({ cohort: row.cohort, customers: row.customers, returning: row.returning })),
    );
  });

  it('GET /reports/lifecycle-funnel: conversions from the event log, true to history (a churned customer still converted)', async () => {
    const converted = new Set(orders.filter((order) => order.completed).map((order) => order.customerId));
    const someone = [...converted][0]!;
    expect((await api.call({ method: 'POST', path: `${BASE}/customers/${someone}/churn`, body: { reason: 'test' } })).status).toBe(200);
    const funnel = (await get('/reports/lifecycle-funnel')).body.data;
    expect(funnel).toMatchObject({
      leads: CUSTOMERS,
      prospects: converted.size,
      customers: converted.size,
      conversion: { lead_to_prospect: converted.size / CUSTOMERS, prospect_to_customer: 1, lead_to_customer: converted.size / CUSTOMERS },
    });
    expect(funnel.median_days.lead_to_prospect).toBeGreaterThanOrEqual(0);
    const empty = (await get('/reports/lifecycle-funnel?from=2020-01-01&to=2020-02-01')).body.data;
    expect(empty).toMatchObject({ leads: 0, prospects: 0, customers: 0, conversion: { lead_to_prospect: null } });
    const backwards = await get('/reports/lifecycle-funnel?from=2026-01-01&to=2025-01-01');
    expect([backwards.status, backwards.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('refuses a run as of a future date and settings out of range, naming the field', async () => {
    const future = await api.call({ method: 'POST', path: `${BASE}/analytics/runs`, body: { as_of: '2999-01-01' } });
    expect([future.status, future.body.error.details.fields[0].field]).toEqual([400, 'as_of']);
    const thresholds = await api.call({
      method: 'POST',
      path: `${BASE}/analytics/runs`,
      body: { churn_thresholds: { high: 0.4, medium: 0.6 } },
    });
    expect(thresholds.status).toBe(400);
    expect(JSON.stringify(thresholds.body.error.details)).toContain('medium');
  });
});
