import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { createAnalyticsService, DEFAULT_RUN_SETTINGS } from '../../functions/analytics/analytics-service.js';
import { advanceRun } from '../../functions/analytics/analytics-runner.js';
import { INSIGHTS } from '../../functions/analytics/analytics-tables.js';
import { createPurchaseHistoryReader } from '../../functions/analytics/purchase-history-reader.js';
import { BASE, createApiHarness, newCustomerBody } from '../support/api-harness.js';
import { FIXTURE_AS_OF, feedOrders, variedOrders } from '../support/analytics-fixture.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

/** Enough customers for the fits to converge on the fixture's history. */
const CUSTOMERS = 60;
const NO_LAUNCH = { launch: async () => undefined };

describe.each(availableDialects())('analytics runs on %s', (dialect) => {
  let database: TestDatabase;
  let customerIds: string[];
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    const api = createApiHarness(database.db);
    customerIds = [];
    for (let index = 0; index < CUSTOMERS; index++) {
      customerIds.push((await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id);
    }
    await feedOrders(database.db, variedOrders(customerIds));
  }, 240_000);
  afterAll(() => database.close());

  const insightsNow = async () =>
    (
      await sql<Record<string, unknown>>`select customer_id, currency, segment, recency_score, frequency_score, monetary_score,
        p_alive, clv, churn_risk, churn_risk_score from ${sql.table(INSIGHTS)} order by customer_id, currency`.execute(database.db)
    ).rows.map((row) => ({ ...row, p_alive: Number(row.p_alive), clv: Number(row.clv), churn_risk_score: Number(row.churn_risk_score) }));

  it('a run cut short after its first partition goes on in the next invocation and ends with the same insights as a run in one go', async () => {
    const service = createAnalyticsService(database.db, { now: () => new Date(), newId: uuidv7, launcher: NO_LAUNCH, runner: advanceRun });
    const settings = { ...DEFAULT_RUN_SETTINGS, partitionCustomers: 10 };

    const whole = await service.startRun({ requestedBy: 'test', triggeredBy: 'command', asOf: FIXTURE_AS_OF, settings });
    expect(whole.ok).toBe(true);
    expect(await service.advance(whole.ok ? whole.value.id : '')).toBe('finished');
    const inOneGo = await insightsNow();
    // Every USD customer; the EUR customers bought once each, so EUR has no model yet and is reported as skipped.
    expect(inOneGo.length).toBe(CUSTOMERS);
    expect((await service.runs.get(whole.ok ? whole.value.id : ''))!.skippedCurrencies).toEqual([
      { currency: 'EUR', reason: 'no EUR customer has repeat orders with a positive spend yet' },
    ]);

    const cut = await service.startRun({ requestedBy: 'test', triggeredBy: 'command', asOf: FIXTURE_AS_OF, settings });
    const runId = cut.ok ? cut.value.id : '';
    // Plenty of time for the fit and one partition, then none: the invocation must stop and save where it is.
    let checks = 0;
    const shortBudget = { remainingMs: () => (checks++ === 0 ? Number.POSITIVE_INFINITY : 0) };
    expect(await service.advance(runId, shortBudget)).toBe('continue');
    const halfway = (await service.runs.get(runId))!;
    expect(halfway).toMatchObject({ state: 'running', phase: 'scoring', invocations: 1 });
    expect(halfway.scoredThrough).toBe([...customerIds].sort()[9]);
    expect(halfway.customersScored).toBeGreaterThanOrEqual(10);

    expect(await service.advance(runId)).toBe('finished');
    const finished = (await service.runs.get(runId))!;
    expect(finished).toMatchObject({ state: 'succeeded', phase: null, invocations: 2, customersScored: inOneGo.length, error: null });
    // Same data, same as-of: the same models and scores, so no band changed and no event was appended.
    expect(finished.eventsEmitted).toBe(0);
    const after = await insightsNow();
    expect(after.map(({ p_alive, clv, churn_risk_score, ...rest }) => rest)).toEqual(
      inOneGo.map(({ p_alive, clv, churn_risk_score, ...rest }) => rest),
    );
    after.forEach((row, index) => {
      expect(row.p_alive).toBeCloseTo(inOneGo[index]!.p_alive, 9);
      expect(row.clv).toBeCloseTo(inOneGo[index]!.clv, 6);
    });
    // A duplicate invocation of a finished run does nothing.
    expect(await service.advance(runId)).toBe('gone');
  });

  it('fits on a deterministic sample when a currency has more customers than max_fit_customers, and still scores everyone', async () => {
    const service = createAnalyticsService(database.db, { now: () => new Date(), newId: uuidv7, launcher: NO_LAUNCH, runner: advanceRun });
    // The schema's minimum is 1,000; the runner takes any size, so the test makes the population "large".
    // About 50 of the 60: the sample follows the (random) customer ids, and a sample of about 30 sometimes
    // drove the fit to a boundary, which rightly skips the currency.
    const started = await service.startRun({
      requestedBy: 'test',
      triggeredBy: 'command',
      asOf: FIXTURE_AS_OF,
      settings: { ...DEFAULT_RUN_SETTINGS, maxFitCustomers: 50 },
    });
    const runId = started.ok ? started.value.id : '';
    await service.runToEnd(runId);
    const models = await service.models.forRun(runId);
    const usd = models.find((model) => model.currency === 'USD');
    expect(usd, 'a USD model was fitted on the sample').toBeDefined();
    expect(usd!.customers).toBe(CUSTOMERS);
    expect(usd!.fittedCustomers).toBeLessThan(CUSTOMERS);
    expect(usd!.fittedCustomers).toBeGreaterThan(30);
    expect((await service.runs.get(runId))!.customersScored).toBe((await insightsNow()).length);
  });

  it('a run that fails is recorded as failed with its error, and frees the way for the next one', async () => {
    const service = createAnalyticsService(database.db, { now: () => new Date(), newId: uuidv7, launcher: NO_LAUNCH, runner: advanceRun });
    const started = await service.startRun({ requestedBy: 'test', triggeredBy: 'command', asOf: FIXTURE_AS_OF });
    const runId = started.ok ? started.value.id : '';
    const brokenHistory = {
      ...createPurchaseHistoryReader(database.db),
      // eslint-disable-next-line require-yield -- fails before its first customer
      async *histories(): AsyncGenerator<never> {
        throw new Error('the purchase history could not be read');
      },
    };
    const deps = {
      runs: service.runs,
      models: service.models,
      insights: service.insights,
      history: brokenHistory,
      now: () => new Date(),
      newId: uuidv7,
    };
    await expect(advanceRun(deps, runId)).rejects.toThrow('the purchase history could not be read');
    expect(await service.runs.get(runId)).toMatchObject({ state: 'failed', error: 'Error: the purchase history could not be read' });
    const next = await service.startRun({ requestedBy: 'test', triggeredBy: 'command', asOf: FIXTURE_AS_OF });
    expect(next.ok).toBe(true);
    await service.runToEnd(next.ok ? next.value.id : '');
    expect((await service.runs.get(next.ok ? next.value.id : ''))!.state).toBe('succeeded');
  });
});
