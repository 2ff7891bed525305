import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import { EDGE_ERROR_STATUS, type ApiError } from './http-errors.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** `{"status":"success","data":…}`, plus `pagination` for lists. */
export function success(
  statusCode: number,
  data: JsonValue,
  options: { headers?: Record<string, string>; pagination?: JsonObject; warnings?: JsonValue[] } = {},
): HttpResponse {
  const envelope = {
    status: 'success',
    data,
    ...(options.pagination && { pagination: options.pagination }),
    // Things the caller should know about a request that succeeded (docs/api.md); absent when there are none.
    ...(options.warnings?.length && { warnings: options.warnings }),
  };
  return { statusCode, headers: { ...JSON_HEADERS, ...options.headers }, body: JSON.stringify(envelope) };
}

export function noContent(headers: Record<string, string> = {}): HttpResponse {
  return { statusCode: 204, headers };
}

/** `{"status":"error","error":{"code","message","details"?,"request_id"}}` with the given status. */
export function errorResponse(status: number, failed: ApiError, requestId: string): HttpResponse {
  const error = { code: failed.code, message: failed.message, ...(failed.details && { details: failed.details }), request_id: requestId };
  return {
    statusCode: status,
    headers: { ...JSON_HEADERS, 'x-request-id': requestId, ...failed.headers },
    body: JSON.stringify({ status: 'error', error }),
  };
}

/** The error envelope of a failure the edge reports itself (its status is fixed). */
export function failure(
  code: keyof typeof EDGE_ERROR_STATUS,
  message: string,
  requestId: string,
  options: { details?: JsonObject | undefined; headers?: Record<string, string> | undefined } = {},
): HttpResponse {
  return errorResponse(EDGE_ERROR_STATUS[code], { code, message, details: options.details, headers: options.headers }, requestId);
}

/**
 * 200 with one keyset page: `items` as the data and the cursor of the last of `page.items` when
 * more follow (`cursorOf` says what a position is for this list). The lists' shared tail.
 */
export function pageResponse<T>(
  page: { readonly items: readonly T[]; readonly hasMore: boolean },
  items: JsonValue[],
  limit: number,
  cursorOf: (last: T) => string,
): HttpResponse {
  const last = page.items[page.items.length - 1];
  return success(200, items, { pagination: { limit, next_cursor: page.hasMore && last !== undefined ? cursorOf(last) : null } });
}
