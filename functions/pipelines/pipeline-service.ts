import type { Kysely } from 'kysely';
import type { DomainError } from '../../domain/errors.js';
import type { Pipeline, PipelineInput } from '../../domain/pipeline/pipeline.js';
import {
  createPipeline,
  deletePipeline,
  PIPELINE_KIND,
  replacePipeline,
  type PipelineField,
} from '../../domain/pipeline/pipeline-change.js';
import type { PipelineEventType } from '../../domain/pipeline/pipeline.events.js';
import { pipelineNotFound } from '../../domain/pipeline/pipeline-errors.js';
import { ok, type Result } from '../../domain/shared/result.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { createAggregateService, type AfterCommit } from '../kit/aggregate-service.js';
import { createAggregateStore } from '../kit/aggregate-store.js';
import { liveDealsOutside, PIPELINE_TABLE, PIPELINES, rowToPipeline } from './pipeline-table.js';

export interface PipelineServiceDependencies {
  readonly db: Kysely<Database>;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly afterCommit?: AfterCommit | undefined;
}

export interface PipelinePage {
  readonly pipelines: readonly Pipeline[];
  readonly next: { readonly createdAt: string; readonly id: string } | null;
}

/** Pipeline configuration: the write kit's create/change/get, and a keyset list. */
export function createPipelineService(deps: PipelineServiceDependencies) {
  const store = createAggregateStore<Pipeline, PipelineField, PipelineEventType>(deps.db, PIPELINE_TABLE);

  /** The 409 for a change the database refused because live deals are in what it removes. */
  async function conflict(rule: string, attempted: Partial<Pipeline>, pipelineId: string): Promise<DomainError> {
    const kept = rule === 'in_use' ? [] : (attempted.stages ?? []).map((stage) => stage.key);
    const { rows } = await liveDealsOutside(pipelineId, kept).execute(deps.db);
    const dealCount = Number(rows[0]?.deal_count ?? 0);
    if (rule === 'in_use') {
      return {
        code: 'PIPELINE.IN_USE',
        message: `The pipeline holds ${dealCount} live deals; move or delete them before deleting the pipeline.`,
        details: { deal_count: dealCount },
      };
    }
    return {
      code: 'PIPELINE.STAGE_IN_USE',
      message: `${dealCount} live deals are in a stage this change removes; move them to another stage first, or keep the stage.`,
      details: { deal_count: dealCount },
    };
  }

  const kit = createAggregateService<Pipeline, PipelineField, PipelineEventType, undefined>({
    kind: PIPELINE_KIND,
    repository: {
      insert: (entity, event) => store.insert(entity, event),
      findById: (id) => store.findById(id),
      saveChange: (id, change, context) => store.saveChange(id, change, context),
    },
    now: deps.now,
    newId: deps.newId,
    afterCommit: deps.afterCommit,
    notFound: pipelineNotFound,
    conflict: (rule, attempted, _scope, id) => conflict(rule, attempted, id),
  });

  return {
    create: async (input: PipelineInput, actor: string) => {
      const created = await kit.create((context) => createPipeline(input, context), actor);
      return created.ok ? ok(created.value.entity) : created;
    },

    get: (id: string): Promise<Result<Pipeline, DomainError>> => kit.get(id),

    async replace(id: string, input: PipelineInput, actor: string, expectedVersion?: number) {
      const outcome = await kit.change(id, () => replacePipeline(input), actor, { expectedVersion });
      return outcome.ok ? ok(outcome.value.entity) : outcome;
    },

    async delete(id: string, actor: string, expectedVersion?: number) {
      const outcome = await kit.change(id, deletePipeline, actor, { expectedVersion });
      return outcome.ok ? ok(outcome.value.entity) : outcome;
    },

    async list(page: { readonly limit: number; readonly after?: { createdAt: string; id: string } | undefined }): Promise<PipelinePage> {
      let select = deps.db.selectFrom(PIPELINES).selectAll().where('deleted_at', 'is', null);
      if (page.after) {
        const { createdAt, id } = page.after;
        select = select.where((eb) =>
          eb.or([
            eb('created_at', '>', param.timestamptz(createdAt)),
            eb.and([eb('created_at', '=', param.timestamptz(createdAt)), eb('id', '>', param.uuid(id))]),
          ]),
        );
      }
      const rows = await select
        .orderBy('created_at')
        .orderBy('id')
        .limit(page.limit + 1)
        .execute();
      const pipelines = rows.slice(0, page.limit).map(rowToPipeline);
      const last = pipelines[pipelines.length - 1];
      return { pipelines, next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
    },
  };
}

export type PipelineService = ReturnType<typeof createPipelineService>;
