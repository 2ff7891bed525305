import { createHash } from 'node:crypto';
import type { IdempotencyStore, StoredResponse } from './idempotency-store.js';

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

/** An Idempotency-Key is 1-255 visible ASCII characters, e.g. a UUID. */
export function isValidIdempotencyKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** How a request under an Idempotency-Key went: run now, the stored response replayed, or refused. */
export type IdempotentOutcome<R> =
  | { readonly kind: 'ran'; readonly response: R }
  | { readonly kind: 'replayed'; readonly response: StoredResponse }
  /** The key was used with a different request. */
  | { readonly kind: 'key_reused' }
  /** A request with the key is still running. */
  | { readonly kind: 'in_progress' };

/**
 * Runs a request at most once per (caller, Idempotency-Key): a retry with the same request gets
 * the stored response, the same key with another request is 422, and a retry while the first is
 * still running is 409. Only a success (2xx) is stored: it is the one outcome a retry must not
 * change, because the write happened. Every other outcome applied nothing, and a retry may
 * rightly succeed (a corrected body, a rep who became active, a customer that moved on), so
 * the key is released and the retry runs afresh.
 */
export async function runIdempotently<R extends StoredResponse>(
  store: IdempotencyStore,
  request: IdempotentRequest,
  run: () => Promise<R>,
): Promise<IdempotentOutcome<R>> {
  const claim = await store.claim({ caller: request.caller, key: request.key, fingerprint: fingerprintOf(request), now: request.now });
  switch (claim.kind) {
    case 'replay':
      return { kind: 'replayed', response: claim.response };
    case 'fingerprint_mismatch':
      return { kind: 'key_reused' };
    case 'in_progress':
      return { kind: 'in_progress' };
    case 'claimed':
      break;
  }
  let response: R;
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
  return { kind: 'ran', response };
}
