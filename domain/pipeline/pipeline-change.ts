import type { DomainError } from '../errors.js';
import type { AggregateChange, AggregateKind } from '../shared/aggregate-change.js';
import type { JsonObject } from '../shared/json.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ChangeContext } from '../shared/domain-event.js';
import { parsePipelineDefinition, type Pipeline, type PipelineInput, type Stage } from './pipeline.js';
import type { PipelineEvent, PipelineEventType } from './pipeline.events.js';

export type PipelineField = 'name' | 'currency' | 'stages' | 'lostReasons' | 'deletedAt';
export type PipelineChange = AggregateChange<Pipeline, PipelineEventType, PipelineField>;

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export const PIPELINE_KIND: AggregateKind<Pipeline, PipelineField> = {
  type: 'pipeline',
  publicNames: { name: 'name', currency: 'currency', stages: 'stages', lostReasons: 'lost_reasons', deletedAt: 'deleted_at' },
  sameValue: { stages: sameJson, lostReasons: sameJson },
  versionMismatch: (expected, pipeline) => ({
    code: 'PIPELINE.VERSION_MISMATCH',
    message: `The pipeline was changed since version ${expected}; it is now at version ${pipeline.version}. Read it again and retry.`,
    details: { current_version: pipeline.version },
  }),
};

/** A stage as the API and events show it. */
export function stageRecord(stage: Stage): JsonObject {
  return {
    key: stage.key,
    label: stage.label,
    kind: stage.kind,
    probability: stage.probability,
    forecast_category: stage.forecastCategory,
  };
}

export function toPipelineRecord(pipeline: Pipeline): JsonObject {
  return {
    id: pipeline.id,
    name: pipeline.name,
    currency: pipeline.currency,
    stages: pipeline.stages.map(stageRecord),
    lost_reasons: [...pipeline.lostReasons],
    version: pipeline.version,
    created_at: pipeline.createdAt,
    updated_at: pipeline.updatedAt,
  };
}

export function createPipeline(
  input: PipelineInput,
  context: ChangeContext & { readonly id: string },
): Result<{ entity: Pipeline; event: PipelineEvent }, DomainError> {
  const definition = parsePipelineDefinition(input);
  if (!definition.ok) return definition;
  const entity: Pipeline = {
    id: context.id,
    ...definition.value,
    version: 1,
    createdAt: context.now,
    updatedAt: context.now,
    deletedAt: null,
  };
  const event: PipelineEvent = {
    eventId: context.eventId,
    type: 'PipelineCreated',
    eventVersion: 1,
    aggregateType: 'pipeline',
    aggregateId: entity.id,
    aggregateVersion: 1,
    occurredAt: context.now,
    actor: context.actor,
    data: { pipeline: toPipelineRecord(entity) },
  };
  return ok({ entity, event });
}

/**
 * Replaces the whole configuration: renaming, reordering, relabelling, adding stages and changing
 * probabilities are all this one change; removing a stage that holds deals is refused by the store.
 */
export function replacePipeline(input: PipelineInput): Result<PipelineChange, DomainError> {
  const definition = parsePipelineDefinition(input);
  if (!definition.ok) return err(definition.error);
  const { name, currency, stages, lostReasons } = definition.value;
  return ok({ event: 'PipelineUpdated', set: { name, currency, stages, lostReasons } });
}

export function deletePipeline(now: string): PipelineChange {
  return { event: 'PipelineDeleted', set: { deletedAt: now } };
}
