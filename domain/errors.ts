import type { JsonObject } from './shared/json.js';

/**
 * Every expected failure the domain can report. The HTTP layer maps each code to a status in
 * one table that the compiler checks for completeness.
 */
export type DomainErrorCode =
  | 'VALIDATION_FAILED'
  | 'CUSTOMER.NOT_FOUND'
  | 'CUSTOMER.EMAIL_TAKEN'
  | 'CUSTOMER.USER_ALREADY_LINKED'
  | 'CUSTOMER.ACCOUNT_TYPE_CONFLICT'
  | 'CUSTOMER.INVALID_TRANSITION'
  | 'CUSTOMER.VERSION_MISMATCH'
  | 'CUSTOMER.UNKNOWN_SALES_REP';

export interface DomainError {
  readonly code: DomainErrorCode;
  readonly message: string;
  readonly details?: JsonObject;
}

/** One problem with one input field, reported in `details.fields` of VALIDATION_FAILED. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export function validationFailed(issues: readonly FieldIssue[]): DomainError {
  const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  return {
    code: 'VALIDATION_FAILED',
    message: `The request is invalid. ${summary}`,
    details: { fields: issues.map((issue) => ({ field: issue.field, message: issue.message })) },
  };
}

export function customerNotFound(id: string): DomainError {
  return { code: 'CUSTOMER.NOT_FOUND', message: `No customer with id ${id} exists (it may have been deleted).` };
}
