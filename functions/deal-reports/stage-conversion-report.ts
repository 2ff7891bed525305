import { sql, type Kysely } from 'kysely';
import type { Pipeline } from '../../domain/pipeline/pipeline.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { DEALS } from '../deals/deal-table.js';
import { EVENTS } from '../events/event-table.js';
import { PIPELINES, rowToPipeline, type PipelineRow } from '../pipelines/pipeline-table.js';
import type { ReportWindow } from './report-window.js';
import { ownerConditions, share, whole, type ReportScope } from './report-sql.js';

export type StageConversion = {
  readonly key: string;
  /** The stage's label now; null for a stage since removed from the pipeline. */
  readonly label: string | null;
  readonly kind: string | null;
  /** Whether the stage is still in the pipeline (removed stages come last, by key). */
  readonly removed: boolean;
  /** Deals of the cohort that were ever in this stage. */
  readonly reached: number;
  /** Of those, the deals that are won now. */
  readonly won: number;
  readonly win_rate: number | null;
};

interface ConversionRow {
  pipeline: PipelineRow | string;
  stage: string | null;
  reached: unknown;
  won: unknown;
}

/**
 * The events that put a deal in a stage: its creation (`data.deal.stage`) and every stage event (`data.stage.to`).
 * Written as literals: a constant list the planner sees.
 */
export const ENTERING_EVENTS = ['DealCreated', 'DealStageChanged', 'DealWon', 'DealLost', 'DealReopened'] as const;

/** The report's one statement (its plan is checked by test/persistence/deal-report-indexes.test.ts). */
export function stageConversionStatement(query: ReportWindow & { readonly pipelineId: string }, scope: ReportScope) {
  return sql<ConversionRow>`
    with p as (
      select * from ${sql.table(PIPELINES)} where id = ${param.uuid(query.pipelineId)} and deleted_at is null
    ), cohort as (
      select d.id, d.status from ${sql.table(DEALS)} d
      where d.pipeline_id = ${param.uuid(query.pipelineId)} and d.deleted_at is null
        and d.created_at >= ${param.timestamptz(query.from)} and d.created_at < ${param.timestamptz(query.to)}
        and ${ownerConditions(scope)}
    ), reached as (
      -- Per cohort deal, through its stream's index: the stages its own events put it in.
      select distinct c.id, c.status, entered.stage from cohort c cross join lateral (
        select coalesce(e.data -> 'stage' ->> 'to', e.data -> 'deal' ->> 'stage') as stage
        from ${sql.table(EVENTS)} e
        where e.aggregate_type = 'deal' and e.aggregate_id = c.id
          and e.event_type in (${sql.join(ENTERING_EVENTS.map((type) => sql.lit(type)))})
        offset 0 -- keeps the lookup per deal: the planner would otherwise hash-join the whole event log
      ) as entered
    ), figures as (
      select stage, count(*) as reached, count(*) filter (where status = 'won') as won from reached group by stage
      union all
      select null, count(*), count(*) filter (where status = 'won') from cohort
    )
    select to_jsonb(p.*) as pipeline, f.stage, f.reached, f.won
    from p left join figures f on true`;
}

/**
 * The deals of a pipeline created in the window (the cohort): for every stage, how many were ever
 * in it and how many of those are won now. Which stages a deal was in is read from its own events,
 * so the answer is true to history after stages are relabelled, reordered or removed. One statement.
 */
export async function stageConversionReport(
  db: Kysely<Database>,
  query: ReportWindow & { readonly pipelineId: string },
  scope: ReportScope,
): Promise<{ pipeline: Pipeline; deals: number; stages: StageConversion[] } | null> {
  const { rows } = await stageConversionStatement(query, scope).execute(db);
  if (rows.length === 0) return null;
  const pipeline = rowToPipeline(typeof rows[0]!.pipeline === 'string' ? JSON.parse(rows[0]!.pipeline) : rows[0]!.pipeline);
  const byStage = new Map(rows.filter((row) => row.stage !== null).map((row) => [row.stage!, row]));
  const cohort = rows.find((row) => row.stage === null);
  const figures = (key: string) => {
    const row = byStage.get(key);
    const reached = whole(row?.reached);
    const won = whole(row?.won);
    return { reached, won, win_rate: share(won, reached) };
  };
  const current = new Set(pipeline.stages.map((stage) => stage.key));
  const removed = [...byStage.keys()].filter((key) => !current.has(key)).sort();
  return {
    pipeline,
    deals: whole(cohort?.reached),
    stages: [
      ...pipeline.stages.map((stage) => ({ key: stage.key, label: stage.label, kind: stage.kind, removed: false, ...figures(stage.key) })),
      ...removed.map((key) => ({ key, label: null, kind: null, removed: true, ...figures(key) })),
    ],
  };
}
