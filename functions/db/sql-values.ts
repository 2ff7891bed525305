import { sql, type RawBuilder } from 'kysely';

/**
 * Parameters whose type PostgreSQL must be told. Through the RDS Data API an untyped string is
 * bound as varchar, so a uuid, jsonb or timestamptz parameter needs an explicit cast; with pg
 * the cast is harmless. Every repository binds such values through these helpers only.
 */
export const param = {
  uuid: (value: string): RawBuilder<string> => sql<string>`cast(${value} as uuid)`,
  nullableUuid: (value: string | null): RawBuilder<string | null> =>
    value === null ? sql<null>`cast(null as uuid)` : sql<string>`cast(${value} as uuid)`,
  timestamptz: (value: string): RawBuilder<string> => sql<string>`cast(${value} as timestamptz)`,
  nullableTimestamptz: (value: string | null): RawBuilder<string | null> =>
    value === null ? sql<null>`cast(null as timestamptz)` : sql<string>`cast(${value} as timestamptz)`,
  /** Arrays and objects cannot be Data API parameters, so JSON travels as text and is cast. */
  jsonb: (value: unknown): RawBuilder<string> => sql<string>`cast(${JSON.stringify(value)} as jsonb)`,
};

/** Reads a timestamp as pg (Date) or the Data API (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC) returns it. */
export function toIsoTimestamp(value: Date | string): string {
  if (value instanceof Date) return value.toISOString();
  const normalised = value.includes('T') ? value : `${value.replace(' ', 'T')}Z`;
  return new Date(normalised).toISOString();
}

export function toNullableIsoTimestamp(value: Date | string | null): string | null {
  return value === null ? null : toIsoTimestamp(value);
}

/** Reads jsonb as pg (parsed) or the Data API (text) returns it. */
export function fromJsonb<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** Renders a timestamptz column as the ISO-8601 text the domain uses (for JSON built in SQL). */
export function isoText(column: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * A UUID v7 made by the database, for rows a statement creates in numbers only it knows (one
 * event per matched row): the 48-bit Unix time in ms of `at` (an ISO timestamp), random bits
 * from gen_random_uuid(), whose variant bits are already right, and the version nibble set to
 * 0111 (set_bit counts from the least significant bit of each byte; the version is the high
 * nibble of byte 6, bits 52–55).
 */
export function uuidV7At(at: string): RawBuilder<string> {
  const ms = String(Date.parse(at));
  return sql<string>`cast(encode(set_bit(set_bit(set_bit(set_bit(
    overlay(uuid_send(gen_random_uuid()) placing substring(int8send(cast(${ms} as bigint)) from 3) from 1 for 6),
    52, 1), 53, 1), 54, 1), 55, 0), 'hex') as uuid)`;
}
