/**
 * `npm run analytics:cdnow -- [sample|master]`: replays a CDNOW purchase history through the real Order consumer path
 * (OrderPlaced events into an embedded PGlite, or the PostgreSQL at DATABASE_URL), runs the analytics as of the papers'
 * calibration end, and prints the fitted parameters next to the published ones, the holdout table, the churn score's
 * holdout AUC, the RFM segment sizes and the top 10 customers by CLV. Writes a self-contained HTML report to
 * .reports/analytics-cdnow-<file>.html (git-ignored).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { sql, Kysely, PostgresDialect } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { summarisePurchases, transactionsBetween, type AnalyticsOrder } from '../../../domain/analytics/customer-summary.js';
import { evaluateHoldout } from '../../../domain/analytics/holdout.js';
import { probabilityAlive } from '../../../domain/analytics/bg-nbd-predict.js';
import { rocAuc } from '../../../domain/analytics/roc-auc.js';
import { segmentRows } from '../../../functions/analytics/analytics-responses.js';
import { advanceRun } from '../../../functions/analytics/analytics-runner.js';
import { createAnalyticsService } from '../../../functions/analytics/analytics-service.js';
import { INSIGHTS } from '../../../functions/analytics/analytics-tables.js';
import { createPurchaseHistoryReader } from '../../../functions/analytics/purchase-history-reader.js';
import type { Database } from '../../../functions/db/database.js';
import { migrateToLatest } from '../../../functions/db/migrate.js';
import { openPostgresPool } from '../../../functions/db/postgres-pool.js';
import { createEventConsumer } from '../../../functions/integration/event-consumer.js';
import { renderAnalyticsReport, type AnalyticsReportData } from './analytics-report.js';
import { CDNOW_FILES, CDNOW_PERIODS, cdnowFilePresent, readCdnowOrders, type CdnowFile } from './cdnow-file.js';

/** Fader, Hardie & Lee (2005) on the CDNOW sample: BG/NBD and the Gamma-Gamma spend model (γ in dollars). */
const PUBLISHED = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, logLikelihood: -9582.4, p: 6.25, q: 3.74, gamma: 15.44 };
const REPORT_DIR = new URL('../../../.reports/', import.meta.url);

/** A stable UUID (version 8, name-derived) for a CDNOW key, so a replay into the same database is idempotent. */
function uuidFor(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function progress(label: string, done: number, total: number, startedMs: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const seconds = (performance.now() - startedMs) / 1000;
  process.stderr.write(
    `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${(done / Math.max(seconds, 0.001)).toFixed(0)}/s`,
  );
  if (done === total) process.stderr.write('\n');
}

async function replay(db: Kysely<Database>, orders: readonly AnalyticsOrder[]): Promise<void> {
  const keys = [...new Set(orders.map((order) => order.customerId))];
  // The customers exist before their orders arrive (Identity or a person created them): one statement.
  await sql`insert into customer_mgmt_customers (id, name, email, source, created_at, updated_at)
    select customer.id, 'CDNOW customer ' || customer.key, 'cdnow-' || customer.key || '@example.com', 'cdnow', now(), now()
    from unnest(cast(${`{${keys.join(',')}}`} as text[]), cast(${`{${keys.map((key) => uuidFor(`cdnow-customer-${key}`)).join(',')}}`} as uuid[]))
      as customer (key, id)
    on conflict do nothing`.execute(db);
  const consume = createEventConsumer(db);
  const started = performance.now();
  const concurrency = 8;
  for (let index = 0; index < orders.length; index += concurrency) {
    await Promise.all(
      orders.slice(index, index + concurrency).map(async (order, offset) => {
        const outcome = await consume({
          id: uuidFor(`cdnow-event-${index + offset}`),
          source: 'order-management',
          'detail-type': 'OrderPlaced',
          time: order.placedAt,
          detail: {
            order_id: uuidFor(`cdnow-order-${index + offset}`),
            customer_id: uuidFor(`cdnow-customer-${order.customerId}`),
            total_minor: order.total.amountMinor,
            currency: order.total.currency,
            placed_at: order.placedAt,
          },
        });
        if (outcome.outcome === 'dead_lettered') throw new Error(`order ${index + offset} was refused: ${JSON.stringify(outcome)}`);
      }),
    );
    const done = Math.min(orders.length, index + concurrency);
    if (done % 400 < concurrency || done === orders.length) progress('replaying OrderPlaced', done, orders.length, started);
  }
}

const pad = (value: string | number, width: number) => String(value).padStart(width);

async function main(file: CdnowFile): Promise<void> {
  if (!cdnowFilePresent(file)) throw new Error(`${CDNOW_FILES[file].pathname} is absent (see ../shared/datasets/cdnow/README.md)`);
  const opened = await openPostgresPool({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory://', maxConnections: 8 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened.pool }) });
  try {
    await migrateToLatest(db);
    const fileOrders = readCdnowOrders(file);
    console.log(
      `CDNOW ${file}: ${fileOrders.length} orders; database: ${opened.kind === 'pglite' ? 'embedded PGlite (in memory)' : 'DATABASE_URL'}`,
    );
    await replay(db, fileOrders);

    const analytics = createAnalyticsService(db, {
      now: () => new Date(),
      newId: uuidv7,
      launcher: { launch: async () => undefined },
      runner: advanceRun,
    });
    const started = await analytics.startRun({
      requestedBy: 'analytics:cdnow',
      triggeredBy: 'command',
      asOf: CDNOW_PERIODS.calibrationEnd,
    });
    if (!started.ok) throw new Error(started.error.message);
    const runStarted = performance.now();
    await analytics.runToEnd(started.value.id);
    const run = (await analytics.runs.get(started.value.id))!;
    if (run.state !== 'succeeded') throw new Error(`the run ${run.state}: ${run.error}`);
    const [model] = await analytics.models.forRun(run.id);
    if (!model) throw new Error('the run fitted no model');
    console.log(
      `analytics run ${run.id}: ${run.customersScored} customers scored, ${run.eventsEmitted} CustomerChurnRiskChanged events, ` +
        `${((performance.now() - runStarted) / 1000).toFixed(1)} s (fit ${model.fitMs} ms)`,
    );

    const parameters = [
      { name: 'BG/NBD r', fitted: model.bgNbd.r, published: PUBLISHED.r },
      { name: 'BG/NBD α', fitted: model.bgNbd.alpha, published: PUBLISHED.alpha },
      { name: 'BG/NBD a', fitted: model.bgNbd.a, published: PUBLISHED.a },
      { name: 'BG/NBD b', fitted: model.bgNbd.b, published: PUBLISHED.b },
      { name: 'BG/NBD ln L', fitted: model.bgNbdLogLikelihood, published: PUBLISHED.logLikelihood },
      { name: 'Gamma-Gamma p', fitted: model.gammaGamma.p, published: PUBLISHED.p },
      { name: 'Gamma-Gamma q', fitted: model.gammaGamma.q, published: PUBLISHED.q },
      { name: 'Gamma-Gamma γ ($)', fitted: model.gammaGamma.gamma / 100, published: PUBLISHED.gamma },
      { name: 'corr(x, mean spend)', fitted: model.frequencySpendCorrelation ?? Number.NaN, published: null },
    ];
    console.log(
      `\nfitted parameters (published: Fader, Hardie & Lee 2005, on the 1/10 sample${file === 'master' ? '; this is the whole file' : ''})`,
    );
    for (const row of parameters)
      console.log(`  ${row.name.padEnd(22)} ${pad(row.fitted.toFixed(4), 11)}  ${pad(row.published ?? '—', 8)}`);

    // The holdout from what the service stores: the purchase history as of the holdout end, the fitted parameters.
    const orders: AnalyticsOrder[] = [];
    for await (const history of createPurchaseHistoryReader(db).histories(CDNOW_PERIODS.holdoutEnd, null)) orders.push(...history.orders);
    const calibration = summarisePurchases(orders, CDNOW_PERIODS.calibrationEnd);
    const holdoutCounts = transactionsBetween(orders, 'USD', CDNOW_PERIODS.calibrationEnd, CDNOW_PERIODS.holdoutEnd);
    const holdout = evaluateHoldout(
      model.bgNbd,
      calibration.map((customer) => ({ history: customer, holdoutTransactions: holdoutCounts.get(customer.customerId) ?? 0 })),
      CDNOW_PERIODS.holdoutWeeks,
    );
    console.log(`\nholdout (weeks 40-78): repeat transactions by calibration repeat transactions`);
    console.log('    x  customers   actual  predicted');
    for (const group of holdout.byCalibrationFrequency)
      console.log(`  ${pad(group.label, 3)}  ${pad(group.customers, 9)}  ${pad(group.actual, 7)}  ${pad(group.predicted.toFixed(1), 9)}`);
    console.log(`  all  ${pad(holdout.customers, 9)}  ${pad(holdout.actual, 7)}  ${pad(holdout.predicted.toFixed(1), 9)}`);

    const stored = await db.selectFrom(INSIGHTS).select(['customer_id', 'churn_risk_score']).execute();
    const scoreOf = new Map(stored.map((row) => [row.customer_id, Number(row.churn_risk_score)]));
    const noReturn = calibration.map((customer) => !holdoutCounts.get(customer.customerId));
    const aucs = [
      {
        score: 'churn risk score (stored by the run)',
        auc: rocAuc(
          calibration.map((customer) => scoreOf.get(customer.customerId) ?? 0),
          noReturn,
        ),
      },
      {
        score: '1 − P(alive)',
        auc: rocAuc(
          calibration.map((customer) => 1 - probabilityAlive(model.bgNbd, customer)),
          noReturn,
        ),
      },
    ];
    console.log(`\nchurn: ROC AUC for "no purchase in the holdout" (${noReturn.filter(Boolean).length} of ${noReturn.length} customers)`);
    for (const row of aucs) console.log(`  ${row.auc.toFixed(4)}  ${row.score}`);

    const summarised = (await analytics.models.get(model.id))!;
    const segments = segmentRows(summarised.segments ?? []);
    console.log('\nRFM segments');
    for (const row of segments)
      console.log(
        `  ${String(row.segment).padEnd(20)} ${pad(row.customers as number, 6)}  ${pad(((row.revenue_share as number) * 100).toFixed(1), 5)} % of revenue`,
      );

    const top = await analytics.insights.list({ currency: 'USD', sort: '-clv', limit: 10 });
    const { rows: customerNames } = await sql<{ id: string; name: string }>`select id, name from customer_mgmt_customers`.execute(db);
    const names = new Map(customerNames.map((row) => [row.id, row.name.replace('CDNOW customer ', '')]));
    console.log('\ntop 10 by CLV (12 months, 1 % a month)');
    console.log('  customer  segment               P(alive)   CLV ($)');
    for (const insight of top.items)
      console.log(
        `  ${pad(names.get(insight.customerId) ?? '?', 8)}  ${insight.segment.padEnd(20)} ${pad(insight.pAlive.toFixed(3), 8)} ${pad((insight.clv / 100).toFixed(2), 9)}`,
      );

    const clv = (await db.selectFrom(INSIGHTS).select('clv').execute()).map((row) => Number(row.clv) / 100);
    const cohorts = await analytics.reports.cohorts('USD', new Date(CDNOW_PERIODS.holdoutEnd), { limit: 100 });
    const report: AnalyticsReportData = {
      title: `Customer analytics on CDNOW (${file} file)`,
      generatedAt: new Date().toISOString(),
      summary: [
        ['orders replayed', String(fileOrders.length)],
        ['customers scored', String(run.customersScored)],
        ['calibration', `to ${CDNOW_PERIODS.calibrationEnd.slice(0, 10)} (39 weeks)`],
        ['holdout', `to ${CDNOW_PERIODS.holdoutEnd.slice(0, 10)} (39 weeks)`],
        ['model', model.id],
      ],
      parameters,
      holdout,
      aucs,
      segments: segments.map((row) => ({
        segment: String(row.segment),
        customers: Number(row.customers),
        revenueShare: Number(row.revenue_share),
      })),
      clv,
      cohorts: cohorts.items.map((row) => ({
        cohort: row.cohort,
        customers: row.customers,
        retention: row.returning.map((count) => count / Math.max(1, row.customers)),
      })),
      top: top.items.map((insight) => ({
        customer: names.get(insight.customerId) ?? insight.customerId,
        segment: insight.segment,
        pAlive: insight.pAlive,
        clv: insight.clv / 100,
      })),
    };
    mkdirSync(REPORT_DIR, { recursive: true });
    const target = new URL(`analytics-cdnow-${file}.html`, REPORT_DIR);
    writeFileSync(target, renderAnalyticsReport(report));
    console.log(`\nreport: ${target.pathname}`);
  } finally {
    await db.destroy();
    await opened.close();
  }
}

const argument = process.argv[2] ?? 'sample';
if (argument !== 'sample' && argument !== 'master') {
  console.error(`usage: npm run analytics:cdnow -- [sample|master] (got "${argument}")`);
  process.exit(2);
}
main(argument).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
