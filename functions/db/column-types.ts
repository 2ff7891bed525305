import type { ColumnType } from 'kysely';

/**
 * Timestamps and jsonb are written as strings (with explicit casts, see sql-values.ts) and read
 * back as whatever the driver gives: Date and parsed JSON from pg, strings from the Data API.
 */
export type Timestamp = ColumnType<Date | string, string, string>;
export type NullableTimestamp = ColumnType<Date | string | null, string | null, string | null>;
export type Jsonb<T> = ColumnType<T | string, string, string>;
