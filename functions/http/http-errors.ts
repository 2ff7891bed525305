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

/** The status of every failure the edge reports itself (VALIDATION_FAILED included: zod at the edge). */
export const EDGE_ERROR_STATUS: Readonly<Record<EdgeErrorCode | 'VALIDATION_FAILED', number>> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_CONTENT_TYPE: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_REQUEST_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/** The status of every code, domain and edge: composed once for the service (functions/error-status.ts). */
export type ErrorStatusTable = Readonly<Record<ErrorCode, number>>;

/**
 * An expected failure a route handler returns as a value (its one error channel): a domain
 * error, or an edge code such as FORBIDDEN for a rule the route checks itself.
 */
export interface ApiError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: JsonObject | undefined;
  readonly headers?: Record<string, string> | undefined;
}

/** An expected failure found by a middleware (parsing, access), thrown and turned into the error envelope; handlers return ApiError values instead. */
export class HttpError extends Error {
  constructor(
    readonly code: keyof typeof EDGE_ERROR_STATUS,
    message: string,
    readonly details?: JsonObject,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
