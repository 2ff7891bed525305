import type { JsonObject } from './shared/json.js';

/**
 * Every expected failure the domain can report, by code. Each aggregate adds its own codes in
 * its errors module (`declare module '../errors.js' { interface DomainErrorCodes extends
 * Record<CustomerErrorCode, true> {} }`); the HTTP layer maps every code to a status in one
 * composed table that the compiler checks for completeness (functions/error-status.ts).
 */
export interface DomainErrorCodes {
  VALIDATION_FAILED: true;
}
export type DomainErrorCode = keyof DomainErrorCodes;

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
