import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_ID } from '../../domain/pipeline/pipeline.js';
import { forecastStatement } from '../../functions/deal-reports/forecast-report.js';
import { pipelineStatement } from '../../functions/deal-reports/pipeline-report.js';
import { resolvePeriods, type Period } from '../../functions/deal-reports/report-window.js';
import { salesVelocityStatement } from '../../functions/deal-reports/sales-velocity-report.js';
import { stageConversionStatement } from '../../functions/deal-reports/stage-conversion-report.js';
import { winRateStatement } from '../../functions/deal-reports/win-rate-report.js';
import { seedDeals } from '../../bench/deal-seed.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const DEALS = 20_000;
const NOW = new Date();
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const REP = '019b6ec4-0000-7000-8000-000000000001';

/** The plan of a statement as text, one node per line. */
async function planOf(database: TestDatabase, statement: RawBuilder<unknown>): Promise<string> {
  const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${statement}`.execute(database.db);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

// EXPLAIN is asked of PostgreSQL itself (PGlite, and the server when DATABASE_URL is set); the Data API path sends the same SQL.
describe.each(availableDialects().filter((dialect) => dialect !== 'data-api'))(
  `the deal reports on ${DEALS.toLocaleString('en')} deals read through their indexes on %s`,
  (dialect) => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await openTestDatabase(dialect);
      // The bench's seed: 40 % open over four stages, 35 % won, 25 % lost, over two years, with each deal's events.
      await seedDeals(database.db, DEALS);
      await sql`vacuum analyze`.execute(database.db);
    }, 300_000);
    afterAll(() => database?.close());

    const quarters = resolvePeriods({ period: 'quarter', from: NOW.toISOString() }, NOW) as Period[];
    const cases: [string, () => RawBuilder<unknown>, RegExp[]][] = [
      [
        'pipeline (index-only over the open deals of the pipeline)',
        () => pipelineStatement({ pipelineId: DEFAULT_PIPELINE_ID, now: NOW.toISOString() }, {}),
        [/idx_deals_open_pipeline_stage/],
      ],
      [
        'pipeline of one sales rep',
        () => pipelineStatement({ pipelineId: DEFAULT_PIPELINE_ID, now: NOW.toISOString() }, { ownerId: REP }),
        [/idx_deals_/],
      ],
      [
        'forecast by quarter and owner',
        () => forecastStatement({ period: 'quarter', periods: quarters, groupByOwner: true }, {}),
        [/idx_deals_closed_report/],
      ],
      [
        'win rate over a year',
        () => winRateStatement({ from: daysAgo(365), to: NOW.toISOString(), groupBy: 'owner' }, {}),
        [/idx_deals_closed_report/],
      ],
      [
        'sales velocity',
        () => salesVelocityStatement({ from: daysAgo(90), to: NOW.toISOString() }, {}),
        [/idx_deals_open_currency/, /idx_deals_closed_report/],
      ],
      [
        'stage conversion of a 90-day cohort (each deal’s events through its stream index)',
        () => stageConversionStatement({ from: daysAgo(90), to: NOW.toISOString(), pipelineId: DEFAULT_PIPELINE_ID }, {}),
        [/idx_deals_(created|pipeline_created)/, /idx_events_stream/],
      ],
    ];
    for (const [name, statement, indexes] of cases) {
      it(name, async () => {
        const plan = await planOf(database, statement());
        expect(plan, plan).not.toMatch(/Seq Scan on customer_mgmt_(deals|events)/);
        for (const index of indexes) expect(plan, plan).toMatch(index);
      });
    }
  },
);
