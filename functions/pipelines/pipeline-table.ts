import { sql, type Selectable } from 'kysely';
import type { Pipeline, Stage } from '../../domain/pipeline/pipeline.js';
import { PIPELINE_KIND, stageRecord, type PipelineField } from '../../domain/pipeline/pipeline-change.js';
import type { CurrencyCode } from '../../domain/shared/money.js';
import type { Jsonb, NullableTimestamp, Timestamp } from '../db/column-types.js';
import { fromJsonb, param, toIsoTimestamp, toNullableIsoTimestamp } from '../db/sql-values.js';
import type { AggregateTable } from '../kit/aggregate-table.js';
import { jsonbColumn, plainColumn, timestampColumn, type ColumnCodec } from '../kit/column-codecs.js';

/** A stage as stored (and shown in events): the API's snake_case record. */
interface StageRow {
  key: string;
  label: string;
  kind: Stage['kind'];
  probability: number;
  forecast_category: Stage['forecastCategory'];
}

export interface PipelinesTable {
  id: string;
  name: string;
  currency: string;
  stages: Jsonb<StageRow[]>;
  lost_reasons: Jsonb<string[]>;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

/** Which stage keys exist in which pipeline, kept by a trigger (see the pipelines-and-deals migration). */
export interface PipelineStagesTable {
  pipeline_id: string;
  key: string;
  active: boolean;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_pipelines: PipelinesTable;
    customer_mgmt_pipeline_stages: PipelineStagesTable;
  }
}

export const PIPELINES = 'customer_mgmt_pipelines' as const;
export type PipelineRow = Selectable<PipelinesTable>;

const stagesOf = (stages: readonly Stage[]) => stages.map(stageRecord);

export function rowToPipeline(row: PipelineRow): Pipeline {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency as CurrencyCode,
    stages: fromJsonb(row.stages).map((stage) => ({
      key: stage.key,
      label: stage.label,
      kind: stage.kind,
      probability: Number(stage.probability),
      forecastCategory: stage.forecast_category,
    })),
    lostReasons: fromJsonb(row.lost_reasons),
    version: Number(row.version),
    createdAt: toIsoTimestamp(row.created_at),
    updatedAt: toIsoTimestamp(row.updated_at),
    deletedAt: toNullableIsoTimestamp(row.deleted_at),
  };
}

/** The stages column holds the records the API shows, so events show the same shape. */
const stagesColumn: ColumnCodec = { ...jsonbColumn('stages'), bind: (value) => param.jsonb(stagesOf(value as Stage[])) };

export const PIPELINE_TABLE: AggregateTable<Pipeline, PipelineField, PipelineRow> = {
  kind: PIPELINE_KIND,
  table: PIPELINES,
  columns: {
    name: plainColumn('name'),
    currency: plainColumn('currency'),
    stages: stagesColumn,
    lostReasons: jsonbColumn('lost_reasons'),
    deletedAt: timestampColumn('deleted_at'),
  },
  // Raised by the stage trigger when a change would retire a stage (or the pipeline) live deals are in.
  rules: { customer_mgmt_pipelines_stage_in_use: 'stage_in_use', customer_mgmt_pipelines_in_use: 'in_use' },
  rowToEntity: rowToPipeline,
  entityToInsert: (pipeline) => ({
    id: param.uuid(pipeline.id),
    name: pipeline.name,
    currency: pipeline.currency,
    stages: param.jsonb(stagesOf(pipeline.stages)),
    lost_reasons: param.jsonb(pipeline.lostReasons),
    version: pipeline.version,
    created_at: param.timestamptz(pipeline.createdAt),
    updated_at: param.timestamptz(pipeline.updatedAt),
    deleted_at: param.nullableTimestamptz(pipeline.deletedAt),
  }),
};

/** How many live deals of the pipeline are in a stage other than `keptKeys` (all of them when none are kept). */
export const liveDealsOutside = (pipelineId: string, keptKeys: readonly string[]) =>
  sql<{ deal_count: string | number }>`
    select count(*) as deal_count from customer_mgmt_deals
    where pipeline_id = ${param.uuid(pipelineId)} and deleted_at is null
      ${keptKeys.length > 0 ? sql`and stage not in (${sql.join(keptKeys.map((key) => sql`${key}`))})` : sql``}`;
