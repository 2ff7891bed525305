import type { DomainError } from '../errors.js';

/** The expected failures of pipeline configuration. */
export const PIPELINE_ERROR_CODES = [
  'PIPELINE.NOT_FOUND',
  'PIPELINE.VERSION_MISMATCH',
  'PIPELINE.STAGE_IN_USE',
  'PIPELINE.IN_USE',
] as const;
export type PipelineErrorCode = (typeof PIPELINE_ERROR_CODES)[number];

declare module '../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the pipeline codes to the union
  interface DomainErrorCodes extends Record<PipelineErrorCode, true> {}
}

export function pipelineNotFound(id: string): DomainError {
  return { code: 'PIPELINE.NOT_FOUND', message: `No pipeline with id ${id} exists (it may have been deleted).` };
}
