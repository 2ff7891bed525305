import type { PipelineErrorCode } from '../../domain/pipeline/pipeline-errors.js';

/** The HTTP status of every pipeline error; the compiler refuses a code without one. */
export const PIPELINE_ERROR_STATUS: Readonly<Record<PipelineErrorCode, number>> = {
  'PIPELINE.NOT_FOUND': 404,
  'PIPELINE.VERSION_MISMATCH': 412,
  'PIPELINE.STAGE_IN_USE': 409,
  'PIPELINE.IN_USE': 409,
};
