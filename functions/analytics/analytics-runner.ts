import {
  fitCurrency,
  fitSampleFraction,
  fitSampleSelector,
  scoreInsights,
  type CustomerInsight,
} from '../../domain/analytics/customer-insight.js';
import { summarisePurchases, type CustomerSummary } from '../../domain/analytics/customer-summary.js';
import type { CustomerStatus } from '../../domain/customer/customer.js';
import type { AnalyticsModelStore, StoredModel } from './analytics-model-store.js';
import type { AnalyticsRun, AnalyticsRunStore } from './analytics-run-store.js';
import type { CustomerInsightStore } from './customer-insight-store.js';
import type { CustomerHistory, PurchaseHistoryReader } from './purchase-history-reader.js';

export interface RunnerDeps {
  readonly runs: AnalyticsRunStore;
  readonly models: AnalyticsModelStore;
  readonly insights: CustomerInsightStore;
  readonly history: PurchaseHistoryReader;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Called after a partition appended events to the outbox (on AWS: wake the relay rather than wait for its sweep). */
  readonly onEventsAppended?: (() => Promise<void>) | undefined;
}

/** How much time this invocation has left (a Lambda's remaining time; unlimited in-process). */
export interface TimeBudget {
  remainingMs(): number;
}

export const UNLIMITED_TIME: TimeBudget = { remainingMs: () => Number.POSITIVE_INFINITY };

/** Never start a partition with less than this left (writing one is a few seconds; the margin covers a slow database). */
export const MIN_PARTITION_MARGIN_MS = 60_000;

/** Insights per upsert statement: about 150 KB of JSON, one parameter. */
export const INSIGHT_BATCH = 500;

/** `finished`: succeeded or failed now; `continue`: out of time, invoke again; `gone`: nothing to do (already finished). */
export type AdvanceOutcome = 'finished' | 'continue' | 'gone';

type Summary = CustomerSummary & { readonly status: CustomerStatus };

function summariesOf(history: CustomerHistory, asOf: string): Summary[] {
  return summarisePurchases(history.orders, asOf).map((summary) => ({ ...summary, status: history.status }));
}

/**
 * Moves a run forward as far as the time budget allows: fit (one pass over the purchase history, models fitted on
 * everyone or on a deterministic sample, see fitCurrency), then score in partitions of customers in id order (progress
 * saved after each, so the next invocation goes on from there), then summarise the segments. A failure fails the run.
 */
export async function advanceRun(deps: RunnerDeps, runId: string, budget: TimeBudget = UNLIMITED_TIME): Promise<AdvanceOutcome> {
  const run = await deps.runs.begin(runId, deps.now());
  if (!run) return 'gone';
  try {
    if (run.phase === 'fitting') await fit(deps, run);
    const models = await deps.models.forRun(run.id);
    if (run.phase !== 'summarising') {
      const done = await score(deps, run, models, budget);
      if (!done) return 'continue';
    }
    await deps.runs.progress(run.id, { phase: 'summarising' }, deps.now());
    await deps.insights.removeOtherThan(models.map((model) => model.id));
    for (const model of models) await deps.models.summariseSegments(model.id);
    await deps.runs.succeed(run.id, deps.now());
    return 'finished';
  } catch (error) {
    await deps.runs.fail(run.id, error instanceof Error ? `${error.name}: ${error.message}` : String(error), deps.now());
    throw error;
  }
}

async function fit(deps: RunnerDeps, run: AnalyticsRun): Promise<void> {
  const populations = await deps.history.populations(run.asOf);
  const selectors = new Map(
    populations.map((population) => [
      population.currency,
      fitSampleSelector(fitSampleFraction(population.customers, run.settings.maxFitCustomers)),
    ]),
  );
  const samples = new Map<string, CustomerSummary[]>(populations.map((population) => [population.currency, []]));
  for await (const history of deps.history.histories(run.asOf, null)) {
    for (const summary of summarisePurchases(history.orders, run.asOf)) {
      if (selectors.get(summary.currency)?.(summary)) samples.get(summary.currency)!.push(summary);
    }
  }
  const skippedCurrencies: { currency: string; reason: string }[] = [];
  for (const population of populations) {
    const started = performance.now();
    const fitted = fitCurrency(population.currency, population.customers, samples.get(population.currency)!);
    const fitMs = performance.now() - started;
    if (fitted.kind === 'skipped') {
      skippedCurrencies.push({ currency: fitted.currency, reason: fitted.reason });
      continue;
    }
    await deps.models.save(
      {
        id: deps.newId(),
        runId: run.id,
        asOf: run.asOf,
        dataFrom: population.firstOrderAt,
        model: fitted.model,
        settings: run.settings,
        fitMs,
      },
      deps.now(),
    );
  }
  await deps.runs.progress(run.id, { phase: 'scoring', scoredThrough: null, skippedCurrencies }, deps.now());
}

/** Scores partitions until everyone is scored (true) or the budget runs low (false). */
async function score(deps: RunnerDeps, run: AnalyticsRun, models: readonly StoredModel[], budget: TimeBudget): Promise<boolean> {
  const byCurrency = new Map(models.map((model) => [model.currency, model]));
  const histories = deps.history.histories(run.asOf, run.scoredThrough);
  let slowestMs = 0;
  for (;;) {
    if (budget.remainingMs() < Math.max(MIN_PARTITION_MARGIN_MS, 2 * slowestMs)) {
      await histories.return(undefined);
      return false;
    }
    const started = performance.now();
    const partition: CustomerHistory[] = [];
    while (partition.length < run.settings.partitionCustomers) {
      const next = await histories.next();
      if (next.done) break;
      partition.push(next.value);
    }
    if (partition.length === 0) return true;
    const insightsByModel = new Map<StoredModel, CustomerInsight[]>();
    const summaries = partition.flatMap((history) => summariesOf(history, run.asOf));
    for (const [currency, group] of groupBy(summaries, (summary) => summary.currency)) {
      // A currency with no model has no counted order up to the as-of date at fit time (one arrived since): next run.
      const model = byCurrency.get(currency);
      if (!model) continue;
      const scored = scoreInsights({ parameters: model, cutPoints: model.cutPoints }, group, run.asOf, model.settings);
      insightsByModel.set(model, scored);
    }
    let events = 0;
    let scoredCount = 0;
    for (const [model, insights] of insightsByModel) {
      for (let start = 0; start < insights.length; start += INSIGHT_BATCH) {
        const batch = insights.slice(start, start + INSIGHT_BATCH);
        const unusable = batch.find((insight) => !Number.isFinite(insight.clv) || !Number.isFinite(insight.pAlive));
        if (unusable) throw new Error(`customer ${unusable.customerId} (${unusable.currency}) scored a non-finite value`);
        events += await deps.insights.upsertBatch({
          modelId: model.id,
          insights: batch,
          actor: run.requestedBy,
          now: deps.now().toISOString(),
          newId: deps.newId,
        });
        scoredCount += batch.length;
      }
    }
    const last = partition[partition.length - 1]!;
    await deps.runs.progress(
      run.id,
      { phase: 'scoring', scoredThrough: last.customerId, addScored: scoredCount, addEvents: events },
      deps.now(),
    );
    if (events > 0) await deps.onEventsAppended?.();
    slowestMs = Math.max(slowestMs, performance.now() - started);
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}
