import { createHash } from 'node:crypto';
import { HttpError } from '../http/http-errors.js';
import type { HttpResponse } from '../http/responses.js';
import type { IdempotencyStore } from './idempotency-store.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentRequest {
  readonly caller: string;
  readonly key: string;
  readonly method: string;
  readonly path: string;
  /** The body as parsed JSON (undefined without one). */
  readonly body: unknown;
  readonly now: Date;
}

/** JSON with every object's keys sorted, so that the same request written differently reads the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The request a key was first used with: same method, path and parsed body (key order and spacing do not count). */
function fingerprintOf(request: IdempotentRequest): string {
  const body = request.body === undefined ? '' : canonicalJson(request.body);
  return createHash('sha256').update(`${request.method} ${request.path}\n${body}`).digest('hex');
}

export function validIdempotencyKey(key: string): string {
  if (!KEY_PATTERN.test(key)) {
    throw new HttpError('VALIDATION_FAILED', 'The Idempotency-Key header must be 1-255 visible ASCII characters, e.g. a UUID.', {
      fields: [{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters, e.g. a UUID' }],
    });
  }
  return key;
}

/**
 * Runs a request at most once per (caller, Idempotency-Key): a retry with the same request gets
 * the stored response, the same key with another request is 422, and a retry while the first is
 * still running is 409. Only a success (2xx) is stored: it is the one outcome a retry must not
 * change, because the write happened. Every other outcome applied nothing, and a retry may
 * rightly succeed (a corrected body, a rep who became active, a customer that moved on), so
 * the key is released and the retry runs afresh.
 */
export async function runIdempotently(
  store: IdempotencyStore,
  request: IdempotentRequest,
  run: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const claim = await store.claim({ caller: request.caller, key: request.key, fingerprint: fingerprintOf(request), now: request.now });
  switch (claim.kind) {
    case 'replay':
      return { ...claim.response, headers: { ...claim.response.headers, 'idempotent-replayed': 'true' } };
    case 'fingerprint_mismatch':
      throw new HttpError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used with a different request; use a new key for a new request.',
      );
    case 'in_progress':
      throw new HttpError(
        'IDEMPOTENCY_REQUEST_IN_PROGRESS',
        'A request with this Idempotency-Key is still being processed; retry shortly.',
        undefined,
        {
          'retry-after': '1',
        },
      );
    case 'claimed':
      break;
  }
  let response: HttpResponse;
  try {
    response = await run();
  } catch (error) {
    // The request's own failure is what the caller must hear (a dropped connection answers 503);
    // if the release fails too, the claim is taken over once it is abandoned (ABANDONED_AFTER_MS).
    await store.release(request.caller, request.key).catch(() => undefined);
    throw error;
  }
  if (response.statusCode < 200 || response.statusCode >= 300) await store.release(request.caller, request.key);
  else {
    const { 'x-request-id': _requestId, ...headers } = response.headers;
    await store.complete(request.caller, request.key, { ...response, headers });
  }
  return response;
}
