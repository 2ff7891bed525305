/**
 * JSON text in which PostgreSQL integers keep every digit (a bigint beyond 2^53 is written as
 * the database printed it, not rounded through a JavaScript number).
 */

/** A JSON number given by its decimal text. */
export class ExactNumber {
  constructor(readonly text: string) {}
}

const MARK = '\u0000#';
const MARKED = /"\\u0000#(-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\\u0000"/g;

export function stringifyExact(value: unknown): string {
  const json = JSON.stringify(value, (_key, item: unknown) => (item instanceof ExactNumber ? `${MARK}${item.text}\u0000` : item));
  return json.replace(MARKED, '$1');
}

/** A double as the REST-JSON protocol writes it: a number, or "NaN" / "Infinity" / "-Infinity". */
export function jsonDouble(text: string): number | string {
  if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return text;
  return Number(text);
}
