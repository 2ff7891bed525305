import { sql, type Kysely } from 'kysely';
import type { Pipeline } from '../../domain/pipeline/pipeline.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { DEALS } from '../deals/deal-table.js';
import { PIPELINES, rowToPipeline, type PipelineRow } from '../pipelines/pipeline-table.js';
import { days, ownerConditions, whole, type ReportScope } from './report-sql.js';

export interface PipelineReportQuery {
  readonly pipelineId: string;
  readonly ownerId?: string | undefined;
  readonly currency?: string | undefined;
  readonly now: string;
}

/** Money of one currency in one stage (or in the whole pipeline). */
export type StageMoney = {
  readonly currency: string;
  readonly deals: number;
  readonly amount_minor: number;
  readonly weighted_amount_minor: number;
};

export interface PipelineReport {
  readonly pipeline: Pipeline;
  readonly stages: readonly {
    readonly key: string;
    readonly label: string;
    readonly probability: number;
    readonly forecast_category: string;
    readonly deals: number;
    readonly average_days_in_stage: number | null;
    readonly currencies: readonly StageMoney[];
  }[];
  readonly totals: readonly StageMoney[];
}

interface FigureRow {
  pipeline: PipelineRow | string;
  stage: string | null;
  currency: string | null;
  deals: unknown;
  amount: unknown;
  weighted: unknown;
  days_total: unknown;
}

/** The report's one statement (its plan is checked by test/persistence/deal-report-indexes.test.ts). */
export function pipelineStatement(query: PipelineReportQuery, scope: ReportScope) {
  return sql<FigureRow>`
    with p as (
      select * from ${sql.table(PIPELINES)} where id = ${param.uuid(query.pipelineId)} and deleted_at is null
    ), stage as (
      select s.value ->> 'key' as key, cast(s.value ->> 'probability' as numeric) as probability
      from p, jsonb_array_elements(p.stages) as s(value)
    ), figures as (
      select d.stage, d.currency, count(*) as deals, sum(d.amount_minor) as amount,
        sum(round(d.amount_minor * stage.probability)) as weighted,
        sum(extract(epoch from (${param.timestamptz(query.now)} - d.stage_entered_at))) / 86400 as days_total
      from ${sql.table(DEALS)} d join stage on stage.key = d.stage
      where d.pipeline_id = ${param.uuid(query.pipelineId)} and d.deleted_at is null and d.status = 'open'
        and ${ownerConditions(scope, query.ownerId)}
        ${query.currency === undefined ? sql`` : sql`and d.currency = ${query.currency}`}
      group by d.stage, d.currency
    )
    select to_jsonb(p.*) as pipeline, f.stage, f.currency, f.deals, f.amount, f.weighted, f.days_total
    from p left join figures f on true
    order by f.stage, f.currency`;
}

/**
 * The open deals of one pipeline per stage, in pipeline order: count, amount and weighted amount
 * per currency, and the average days in stage. One statement: the pipeline row joined to its
 * figures (a left join, so a pipeline without deals still answers, and an unknown one answers no row).
 */
export async function pipelineReport(db: Kysely<Database>, query: PipelineReportQuery, scope: ReportScope): Promise<PipelineReport | null> {
  const { rows } = await pipelineStatement(query, scope).execute(db);
  if (rows.length === 0) return null;
  const pipeline = rowToPipeline(typeof rows[0]!.pipeline === 'string' ? JSON.parse(rows[0]!.pipeline) : rows[0]!.pipeline);
  const figures = rows.filter((row) => row.stage !== null);
  const money = (row: FigureRow): StageMoney => ({
    currency: row.currency!,
    deals: whole(row.deals),
    amount_minor: whole(row.amount),
    weighted_amount_minor: whole(row.weighted),
  });
  const totals = new Map<string, StageMoney>();
  for (const row of figures) {
    const current = totals.get(row.currency!);
    const add = money(row);
    totals.set(
      row.currency!,
      current
        ? {
            currency: current.currency,
            deals: current.deals + add.deals,
            amount_minor: current.amount_minor + add.amount_minor,
            weighted_amount_minor: current.weighted_amount_minor + add.weighted_amount_minor,
          }
        : add,
    );
  }
  return {
    pipeline,
    stages: pipeline.stages
      .filter((stage) => stage.kind === 'open')
      .map((stage) => {
        const own = figures.filter((row) => row.stage === stage.key);
        const deals = own.reduce((sum, row) => sum + whole(row.deals), 0);
        const daysTotal = own.reduce((sum, row) => sum + whole(row.days_total), 0);
        return {
          key: stage.key,
          label: stage.label,
          probability: stage.probability,
          forecast_category: stage.forecastCategory,
          deals,
          average_days_in_stage: deals === 0 ? null : days(daysTotal / deals),
          currencies: own.map(money),
        };
      }),
    totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}
