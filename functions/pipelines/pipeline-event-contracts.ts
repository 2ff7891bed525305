import * as z from 'zod';
import { FORECAST_CATEGORIES, STAGE_KINDS } from '../../domain/pipeline/pipeline.js';
import type { PipelineEventType } from '../../domain/pipeline/pipeline.events.js';
import { becomes, change, timestamp, uuid } from '../events/contract-fields.js';
import { aggregateEventContracts } from '../events/event-contracts.js';

/** The published contracts of the pipeline stream (`pipeline_id`, `pipeline_version`). */

const stages = z
  .array(
    z.strictObject({
      key: z.string().regex(/^[a-z0-9]+(?:_[a-z0-9]+)*$/),
      label: z.string().min(1),
      kind: z.enum(STAGE_KINDS),
      probability: z.number().min(0).max(1),
      forecast_category: z.enum(FORECAST_CATEGORIES),
    }),
  )
  .min(3)
  .max(30)
  .describe('the stages in order; exactly one won, at least one lost');
const lostReasons = z.array(z.string()).min(1);
const currency = z.string().regex(/^[A-Z]{3}$/);

export const pipelineEventContracts = aggregateEventContracts<PipelineEventType>('pipeline', {
  PipelineCreated: {
    version: 1,
    description: 'A pipeline was created. data.pipeline is the whole configuration.',
    data: z.strictObject({
      pipeline: z.strictObject({
        id: uuid,
        name: z.string().min(1),
        currency,
        stages,
        lost_reasons: lostReasons,
        version: z.literal(1),
        created_at: timestamp,
        updated_at: timestamp,
      }),
    }),
  },
  PipelineUpdated: {
    version: 1,
    description:
      'The configuration changed; data.changes holds only what changed. Deals keep their stage keys, and past stage events keep the probabilities they snapshotted.',
    data: z.strictObject({
      changes: z
        .strictObject({
          name: change(z.string().min(1)).optional(),
          currency: change(currency).optional(),
          stages: change(stages).optional(),
          lost_reasons: change(lostReasons).optional(),
        })
        .refine((changes) => Object.keys(changes).length > 0, 'at least one field changes'),
    }),
  },
  PipelineDeleted: {
    version: 1,
    description: 'The pipeline was deleted (it held no live deals).',
    data: z.strictObject({ changes: z.strictObject({ deleted_at: becomes(z.null(), timestamp) }) }),
  },
});
