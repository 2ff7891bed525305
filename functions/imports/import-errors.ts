import type { ImportErrorCode } from '../../domain/imports/import-errors.js';

/** The HTTP status of every import error; DUPLICATE_IN_FILE is only ever a row's error (409, as BATCH.DUPLICATE_TARGET). */
export const IMPORT_ERROR_STATUS: Readonly<Record<ImportErrorCode, number>> = {
  'IMPORT.NOT_FOUND': 404,
  'IMPORT.NOT_CANCELLABLE': 409,
  'IMPORT.DUPLICATE_IN_FILE': 409,
};
