import type { DomainError } from '../errors.js';

/** The expected failures of exports. */
export const EXPORT_ERROR_CODES = ['EXPORT.NOT_FOUND'] as const;
export type ExportErrorCode = (typeof EXPORT_ERROR_CODES)[number];

declare module '../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the export codes to the union
  interface DomainErrorCodes extends Record<ExportErrorCode, true> {}
}

export const exportNotFound = (id: string): DomainError => ({
  code: 'EXPORT.NOT_FOUND',
  message: `No export with id ${id} exists. POST /exports answers the id of a new one.`,
});
