import type { PagePosition, SortOrder } from '../../domain/customer/customer-repository.js';
import { HttpError } from '../http/http-errors.js';

/**
 * Cursors are opaque to callers: base64url JSON of the sort order and the last position.
 * The sort order is inside so a cursor cannot be replayed against a different ordering.
 */
export function encodeCursor(sort: SortOrder, position: PagePosition): string {
  return Buffer.from(JSON.stringify({ s: sort, k: position.key, i: position.id })).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(cursor: string, sort: SortOrder): PagePosition {
  const invalid = (message: string) =>
    new HttpError('VALIDATION_FAILED', `The cursor is not valid: ${message}`, { fields: [{ field: 'cursor', message }] });
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('pass next_cursor from the previous page unchanged');
  }
  const { s, k, i } = (decoded ?? {}) as { s?: unknown; k?: unknown; i?: unknown };
  if (typeof k !== 'string' || typeof i !== 'string' || !UUID.test(i) || k.length > 400) {
    throw invalid('pass next_cursor from the previous page unchanged');
  }
  if (s !== sort) throw invalid(`it was issued for sort=${String(s)}; repeat the same sort to continue`);
  if (sort.endsWith('created_at') && Number.isNaN(Date.parse(k))) throw invalid('pass next_cursor from the previous page unchanged');
  return { key: k, id: i };
}
