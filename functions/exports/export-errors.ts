import type { ExportErrorCode } from '../../domain/exports/export-errors.js';

/** The HTTP status of every export error; the compiler refuses a code without one. */
export const EXPORT_ERROR_STATUS: Readonly<Record<ExportErrorCode, number>> = {
  'EXPORT.NOT_FOUND': 404,
};
