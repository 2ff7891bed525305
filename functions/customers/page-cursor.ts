import * as z from 'zod';
import type { PagePosition, SortOrder } from '../../domain/customer/customer-repository.js';
import { cleanText, encodePageCursor, isoTimestamp, pageCursor } from '../http/clean-input.js';

/**
 * Cursors are opaque to callers: base64url JSON of the sort order and the last position.
 * The sort order is inside so a cursor cannot be replayed against a different ordering.
 */
export function encodeCursor(sort: SortOrder, position: PagePosition): string {
  return encodePageCursor({ s: sort, k: position.key, i: position.id });
}

const id = z.uuid();

/**
 * `cursor` of the customer list: its key is read like the column it stands for (a strict
 * timestamp for created_at, clean text for name), so a forged cursor is a 400, never a 500.
 */
export const CustomerCursor = pageCursor(
  z
    .discriminatedUnion('s', [
      z.object({ s: z.enum(['created_at', '-created_at']), k: isoTimestamp({ requireOffset: true }), i: id }),
      z.object({ s: z.enum(['name', '-name']), k: cleanText(400).min(1), i: id }),
    ])
    .transform(({ s, k, i }) => ({ sort: s as SortOrder, position: { key: k, id: i } satisfies PagePosition })),
);
