import type { DomainErrorCode } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/shared/json.js';

/** Failures the HTTP edge reports before the domain is involved. */
export type EdgeErrorCode =
  | 'MALFORMED_JSON'
  | 'UNSUPPORTED_CONTENT_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_REQUEST_IN_PROGRESS'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export type ErrorCode = DomainErrorCode | EdgeErrorCode;

/** Every error code's HTTP status; the compiler refuses a code without one. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_CONTENT_TYPE: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  'CUSTOMER.NOT_FOUND': 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  'CUSTOMER.EMAIL_TAKEN': 409,
  'CUSTOMER.USER_ALREADY_LINKED': 409,
  'CUSTOMER.ACCOUNT_TYPE_CONFLICT': 409,
  'CUSTOMER.INVALID_TRANSITION': 409,
  IDEMPOTENCY_REQUEST_IN_PROGRESS: 409,
  'CUSTOMER.VERSION_MISMATCH': 412,
  IDEMPOTENCY_KEY_REUSED: 422,
  'CUSTOMER.UNKNOWN_SALES_REP': 422,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/** An expected failure at the edge, thrown by middlewares and turned into the error envelope. */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: JsonObject,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
