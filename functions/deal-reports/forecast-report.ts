import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { DEALS } from '../deals/deal-table.js';
import { PIPELINES } from '../pipelines/pipeline-table.js';
import type { ForecastPeriod, Period } from './report-window.js';
import { ownerConditions, whole, type ReportScope } from './report-sql.js';

export interface ForecastQuery {
  readonly pipelineId?: string | undefined;
  readonly period: ForecastPeriod;
  readonly periods: readonly Period[];
  readonly groupByOwner: boolean;
}

/** One currency (and, grouped by owner, one owner) of one period. */
export type ForecastFigures = {
  readonly owner_id?: string | null;
  readonly currency: string;
  readonly deals: number;
  readonly closed_won_minor: number;
  readonly commit_minor: number;
  readonly best_case_minor: number;
  readonly pipeline_minor: number;
  readonly weighted_minor: number;
};

export type ForecastPeriodFigures = Period & { readonly figures: readonly ForecastFigures[] };

interface ForecastRow {
  period_start: string;
  owner_id: string | null;
  currency: string;
  deals: unknown;
  closed_won: unknown;
  commit: unknown;
  best_case: unknown;
  pipeline: unknown;
  weighted_open: unknown;
}

/** The report's one statement (its plan is checked by test/persistence/deal-report-indexes.test.ts). */
export function forecastStatement(query: ForecastQuery, scope: ReportScope) {
  const first = query.periods[0]!.start;
  const last = query.periods[query.periods.length - 1]!.end;
  // Won deals count by the instant they closed: from the first period's start to the day after the last one's end (UTC).
  const afterLast = new Date(Date.parse(last) + 86_400_000).toISOString();
  const unit = sql.lit(query.period);
  const pipelineFilter = query.pipelineId === undefined ? sql`` : sql`and d.pipeline_id = ${param.uuid(query.pipelineId)}`;
  return sql<ForecastRow>`
    with stage as (
      select p.id as pipeline_id, s.value ->> 'key' as key, s.value ->> 'forecast_category' as category,
        cast(s.value ->> 'probability' as numeric) as probability
      from ${sql.table(PIPELINES)} p, jsonb_array_elements(p.stages) as s(value)
      ${query.pipelineId === undefined ? sql`` : sql`where p.id = ${param.uuid(query.pipelineId)}`}
    ), counted as (
      -- Two index-only scans: won deals by closed_at, open deals by expected_close_date (with their stage's category).
      select d.owner_id, d.currency, d.status, d.amount_minor,
        date_trunc(${unit}, cast(cast(d.closed_at at time zone 'UTC' as date) as timestamp)) as period,
        cast(null as text) as category, cast(null as numeric) as probability
      from ${sql.table(DEALS)} d
      where d.deleted_at is null and d.status = 'won'
        and d.closed_at >= ${param.timestamptz(`${first}T00:00:00.000Z`)} and d.closed_at < ${param.timestamptz(afterLast)}
        ${pipelineFilter} and ${ownerConditions(scope)}
      union all
      select d.owner_id, d.currency, d.status, d.amount_minor, date_trunc(${unit}, cast(d.expected_close_date as timestamp)),
        coalesce(d.forecast_category_override, stage.category), stage.probability
      from ${sql.table(DEALS)} d left join stage on stage.pipeline_id = d.pipeline_id and stage.key = d.stage
      where d.deleted_at is null and d.status = 'open'
        and d.expected_close_date between cast(${first} as date) and cast(${last} as date)
        ${pipelineFilter} and ${ownerConditions(scope)}
    )
    select to_char(period, 'YYYY-MM-DD') as period_start, ${query.groupByOwner ? sql`cast(owner_id as text)` : sql`cast(null as text)`} as owner_id,
      currency, count(*) as deals,
      sum(amount_minor) filter (where status = 'won') as closed_won,
      sum(amount_minor) filter (where status = 'open' and category in ('commit', 'closed')) as commit,
      sum(amount_minor) filter (where status = 'open' and category = 'best_case') as best_case,
      sum(amount_minor) filter (where status = 'open' and category = 'pipeline') as pipeline,
      sum(round(amount_minor * probability)) filter (where status = 'open' and category <> 'omitted') as weighted_open
    from counted
    group by ${query.groupByOwner ? sql`period, counted.owner_id, currency` : sql`period, currency`}
    order by 1, 2, 3`;
}

/**
 * Per period, the won deals by `closed_at` and the open deals by `expected_close_date`, with their
 * amounts summed by forecast category (the deal's override wins over its stage's category; an open
 * deal an override calls `closed` counts as commit: it is not won until it is) and the weighted
 * total = closed won + Σ round(amount × stage probability) of the open deals not `omitted`. Per
 * currency, optionally per owner. One statement.
 */
export async function forecastReport(db: Kysely<Database>, query: ForecastQuery, scope: ReportScope): Promise<ForecastPeriodFigures[]> {
  const { rows } = await forecastStatement(query, scope).execute(db);
  return query.periods.map((period) => ({
    ...period,
    figures: rows
      .filter((row) => row.period_start === period.start)
      .map((row) => {
        const closedWon = whole(row.closed_won);
        return {
          ...(query.groupByOwner && { owner_id: row.owner_id }),
          currency: row.currency,
          deals: whole(row.deals),
          closed_won_minor: closedWon,
          commit_minor: whole(row.commit),
          best_case_minor: whole(row.best_case),
          pipeline_minor: whole(row.pipeline),
          weighted_minor: closedWon + whole(row.weighted_open),
        };
      }),
  }));
}
