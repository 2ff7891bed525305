import * as z from 'zod';
import { DEFAULT_PIPELINE, FORECAST_CATEGORIES, MAX_LOST_REASONS, MAX_STAGES, STAGE_KINDS } from '../../domain/pipeline/pipeline.js';
import { cleanText, encodePageCursor, isoTimestamp, pageCursor } from '../http/clean-input.js';
import { pageLimit, single } from '../http/query-parameters.js';

const uuid = z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' });

export const PipelineIdParams = z.object({ id: uuid });

// Shape and size here; the rules of a pipeline (one won stage, probabilities, unique keys) are the domain's.
const StageBody = z.strictObject({
  key: cleanText(100),
  label: cleanText(200),
  kind: cleanText(20).meta({ examples: [...STAGE_KINDS] }),
  probability: z.number({ error: 'must be a number between 0 and 1' }).optional(),
  forecast_category: cleanText(20)
    .meta({ examples: [...FORECAST_CATEGORIES] })
    .optional(),
});

export const PipelineBody = z
  .strictObject({
    name: cleanText(400),
    currency: cleanText(10),
    stages: z.array(StageBody, { error: 'must be an array of stages' }).max(MAX_STAGES * 2, `must list at most ${MAX_STAGES} stages`),
    lost_reasons: z
      .array(cleanText(100))
      .max(MAX_LOST_REASONS * 2, `must list at most ${MAX_LOST_REASONS} reasons`)
      .optional(),
  })
  .meta({ examples: [DEFAULT_PIPELINE] });

/** `cursor` of the pipeline list (oldest first): created_at and id of the last pipeline of the previous page. */
const PipelineCursor = pageCursor(z.object({ k: isoTimestamp({ requireOffset: true }), i: uuid }));
export const encodePipelineCursor = (position: { createdAt: string; id: string }) =>
  encodePageCursor({ k: position.createdAt, i: position.id });

export const ListPipelinesQuery = z.strictObject({ limit: pageLimit, cursor: single(PipelineCursor).optional() });

const timestamp = z.iso.datetime().meta({ examples: ['2026-11-26T10:00:00.000Z'] });

export const PipelineRepresentation = z
  .strictObject({
    id: z.uuid(),
    name: z.string().meta({ examples: ['Sales pipeline'] }),
    currency: z
      .string()
      .length(3)
      .meta({ examples: ['EUR'] }),
    stages: z.array(
      z.strictObject({
        key: z.string().meta({ examples: ['proposal'] }),
        label: z.string().meta({ examples: ['Proposal'] }),
        kind: z.enum(STAGE_KINDS),
        probability: z.number().min(0).max(1),
        forecast_category: z.enum(FORECAST_CATEGORIES),
      }),
    ),
    lost_reasons: z.array(z.string().meta({ examples: ['price'] })),
    version: z.int().min(1),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ title: 'Pipeline' });
