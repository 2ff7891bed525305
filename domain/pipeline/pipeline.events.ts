import type { DomainEvent } from '../shared/domain-event.js';

export const PIPELINE_EVENT_TYPES = ['PipelineCreated', 'PipelineUpdated', 'PipelineDeleted'] as const;
export type PipelineEventType = (typeof PIPELINE_EVENT_TYPES)[number];

/** A fact about one pipeline: an event of the `pipeline` stream. */
export type PipelineEvent = DomainEvent<PipelineEventType>;
