import type { DomainError } from '../errors.js';

/** The expected failures of the Customer aggregate. */
export const CUSTOMER_ERROR_CODES = [
  'CUSTOMER.NOT_FOUND',
  'CUSTOMER.EMAIL_TAKEN',
  'CUSTOMER.EXTERNAL_ID_TAKEN',
  'CUSTOMER.USER_ALREADY_LINKED',
  'CUSTOMER.ACCOUNT_TYPE_CONFLICT',
  'CUSTOMER.INVALID_TRANSITION',
  'CUSTOMER.VERSION_MISMATCH',
  'CUSTOMER.UNKNOWN_SALES_REP',
  'CUSTOMER.UNKNOWN_COMPANY',
  'CUSTOMER.ERASED',
  'CUSTOMER.SUPPRESSED',
] as const;
export type CustomerErrorCode = (typeof CUSTOMER_ERROR_CODES)[number];

declare module '../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the customer codes to the union
  interface DomainErrorCodes extends Record<CustomerErrorCode, true> {}
}

export function customerNotFound(id: string): DomainError {
  return { code: 'CUSTOMER.NOT_FOUND', message: `No customer with id ${id} exists (it may have been deleted).` };
}

/** Every write to an erased customer is refused: the record is frozen (docs/privacy.md). */
export function customerErased(id: string, erasedAt: string | null): DomainError {
  return {
    code: 'CUSTOMER.ERASED',
    message: `Customer ${id} was erased on request of the person; the record is frozen and cannot be changed.`,
    details: { erased_at: erasedAt },
  };
}
