import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import { ERROR_STATUS, type ErrorCode } from './http-errors.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** `{"status":"success","data":…}`, plus `pagination` for lists. */
export function success(
  statusCode: number,
  data: JsonValue,
  options: { headers?: Record<string, string>; pagination?: JsonObject } = {},
): HttpResponse {
  const envelope = options.pagination ? { status: 'success', data, pagination: options.pagination } : { status: 'success', data };
  return { statusCode, headers: { ...JSON_HEADERS, ...options.headers }, body: JSON.stringify(envelope) };
}

export function noContent(headers: Record<string, string> = {}): HttpResponse {
  return { statusCode: 204, headers };
}

/** `{"status":"error","error":{"code","message","details"?,"request_id"}}` with the code's status. */
export function failure(
  code: ErrorCode,
  message: string,
  requestId: string,
  options: { details?: JsonObject | undefined; headers?: Record<string, string> | undefined } = {},
): HttpResponse {
  const error = { code, message, ...(options.details && { details: options.details }), request_id: requestId };
  return {
    statusCode: ERROR_STATUS[code],
    headers: { ...JSON_HEADERS, 'x-request-id': requestId, ...options.headers },
    body: JSON.stringify({ status: 'error', error }),
  };
}
