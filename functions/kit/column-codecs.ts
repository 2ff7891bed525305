import { sql, type RawBuilder } from 'kysely';
import { isoText, param } from '../db/sql-values.js';

/**
 * How one field of an aggregate lives in SQL: its column, how a new value is bound (with the
 * cast the Data API needs), how the column is rendered into event JSON, and when two values
 * count as different. The write kit builds its one-statement change from these.
 */
export interface ColumnCodec {
  readonly column: string;
  bind(value: unknown): RawBuilder<unknown> | string | number | boolean | null;
  toJson(ref: RawBuilder<unknown>): RawBuilder<unknown>;
  differs(current: RawBuilder<unknown>, next: RawBuilder<unknown>): RawBuilder<boolean>;
}

/** A text, number or boolean column compared with `is distinct from`. */
export const plainColumn = (column: string): ColumnCodec => ({
  column,
  bind: (value) => value as string | number | boolean | null,
  toJson: (ref) => sql`to_jsonb(${ref})`,
  differs: (current, next) => sql<boolean>`${current} is distinct from ${next}`,
});

/** A nullable uuid column. */
export const uuidColumn = (column: string): ColumnCodec => ({
  ...plainColumn(column),
  bind: (value) => param.nullableUuid(value as string | null),
});

/** A nullable timestamptz column, rendered in events as the domain's ISO text. */
export const timestampColumn = (column: string): ColumnCodec => ({
  ...plainColumn(column),
  bind: (value) => param.nullableTimestamptz(value as string | null),
  toJson: (ref) => sql`to_jsonb(${isoText(ref)})`,
});

/** A nullable date column (YYYY-MM-DD). */
export const dateColumn = (column: string): ColumnCodec => ({
  ...plainColumn(column),
  bind: (value) => (value === null ? sql`cast(null as date)` : sql`cast(${value as string} as date)`),
  toJson: (ref) => sql`to_jsonb(to_char(${ref}, 'YYYY-MM-DD'))`,
});

/** A jsonb column holding any JSON value, compared by value. */
export const jsonbColumn = (column: string): ColumnCodec => ({
  column,
  bind: (value) => param.jsonb(value),
  toJson: (ref) => ref,
  differs: (current, next) => sql<boolean>`${current} is distinct from ${next}`,
});

/** A jsonb array used as a set (tags): the same members in another order are no change. */
export const jsonbSetColumn = (column: string): ColumnCodec => ({
  ...jsonbColumn(column),
  differs: (current, next) => sql<boolean>`not (${current} @> ${next} and ${next} @> ${current})`,
});
