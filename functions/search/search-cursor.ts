import type { SearchSort } from '../../domain/shared/search.js';
import { textProblem } from '../../domain/shared/text.js';
import { encodePageCursor } from '../http/clean-input.js';
import type { SearchableObject, SearchProperty } from './searchable-object.js';

/** Where a page ends: the sort keys of its last record (as text the database casts back; null when it has none) and its id. */
export interface SearchPosition {
  readonly keys: readonly (string | null)[];
  readonly id: string;
}

/** The sorts a cursor was issued for, inside the cursor so that it cannot continue another order. */
export function sortSignature(sorts: readonly SearchSort[]): string {
  return sorts.map((sort) => `${sort.property}:${sort.direction}`).join(',');
}

/** `next_cursor`: base64url JSON of the sorts, the keys and the id (opaque to callers). */
export function encodeSearchCursor(sorts: readonly SearchSort[], position: SearchPosition): string {
  return encodePageCursor({ s: sortSignature(sorts), k: position.keys, i: position.id });
}

/** The text form of a key of each type, as the statement renders it (see keyText in search-statement.ts). */
const KEY_FORMS: Partial<Record<SearchProperty['type'], RegExp>> = {
  datetime: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  number: /^-?\d{1,30}(\.\d{1,30})?$/,
  money: /^-?\d{1,30}$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
};

/** The keys of a cursor, checked against the sorts' types (a forged key is a 400, never a failed cast); null when they do not fit. */
export function readCursorKeys(
  object: SearchableObject<any>,
  sorts: readonly SearchSort[],
  keys: readonly (string | null)[],
): (string | null)[] | null {
  if (keys.length !== sorts.length) return null;
  const read = sorts.map((sort, index) => {
    const key = keys[index]!;
    const property = object.properties[sort.property]!;
    if (key === null) return property.nullable ? null : undefined;
    const form = KEY_FORMS[property.type];
    if (form) return form.test(key) ? key : undefined;
    if (property.type === 'enum') return property.values?.includes(key) ? key : undefined;
    return textProblem(key) === null ? key : undefined;
  });
  return read.includes(undefined) ? null : (read as (string | null)[]);
}
