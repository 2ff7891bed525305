import type { DomainError } from '../errors.js';

/**
 * The expected failures of CSV imports: an import that does not exist or has already ended, and
 * the row error of a second row aimed at a record an earlier row of the same file already aimed at.
 */
export const IMPORT_ERROR_CODES = ['IMPORT.NOT_FOUND', 'IMPORT.NOT_CANCELLABLE', 'IMPORT.DUPLICATE_IN_FILE'] as const;
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

declare module '../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the import codes to the union
  interface DomainErrorCodes extends Record<ImportErrorCode, true> {}
}

export const importNotFound = (id: string): DomainError => ({
  code: 'IMPORT.NOT_FOUND',
  message: `No import with id ${id} exists. POST /imports answers the id of a new one.`,
});

export const importNotCancellable = (id: string, status: string): DomainError => ({
  code: 'IMPORT.NOT_CANCELLABLE',
  message: `Import ${id} is ${status}; only a queued or running import can be cancelled.`,
  details: { status },
});

export const duplicateInFile = (target: string, firstRow: number): DomainError => ({
  code: 'IMPORT.DUPLICATE_IN_FILE',
  message: `Row ${firstRow} of this file already aims at the record with ${target.replace(':', ' ')}; each record may appear once per file.`,
  details: { target, first_row: firstRow },
});
