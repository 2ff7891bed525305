import type { DomainError } from '../errors.js';

/** The expected failures of the Deal aggregate. */
export const DEAL_ERROR_CODES = [
  'DEAL.NOT_FOUND',
  'DEAL.VERSION_MISMATCH',
  'DEAL.INVALID_TRANSITION',
  'DEAL.USE_CLOSE_COMMAND',
  'DEAL.UNKNOWN_STAGE',
  'DEAL.UNKNOWN_LOST_REASON',
  'DEAL.UNKNOWN_PIPELINE',
  'DEAL.UNKNOWN_CUSTOMER',
  'DEAL.UNKNOWN_COMPANY',
  'DEAL.UNKNOWN_CONTACT',
  'DEAL.CUSTOMER_NOT_IN_COMPANY',
  'DEAL.EXTERNAL_ID_TAKEN',
  'DEAL.BUSY',
] as const;
export type DealErrorCode = (typeof DEAL_ERROR_CODES)[number];

declare module '../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the deal codes to the union
  interface DomainErrorCodes extends Record<DealErrorCode, true> {}
}

export function dealNotFound(id: string): DomainError {
  return { code: 'DEAL.NOT_FOUND', message: `No deal with id ${id} exists (it may have been deleted).` };
}
