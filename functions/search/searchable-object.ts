import type { RawBuilder } from 'kysely';
import type * as z from 'zod';
import type { PropertyType, SearchSort } from '../../domain/shared/search.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { AccessScope } from '../auth/access.js';

/** One searchable property: its type (which decides its operators and how values are read) and its column. */
export interface SearchProperty {
  readonly type: PropertyType;
  /** The column of the object's table (for money: the amount in minor units). */
  readonly column: string;
  /** Number and money: the column's SQL type, so that a whole-number value is bound as it (default numeric). */
  readonly sqlType?: 'integer' | 'bigint' | 'numeric';
  /** Money only: the column of the currency (ISO 4217) the amount is in. */
  readonly currencyColumn?: string;
  /** Enum only: the values the property can hold. */
  readonly values?: readonly string[];
  /** Whether a record can lack a value (null); sorts treat it as larger than any value. */
  readonly nullable?: boolean;
  /** String only: compared lower-cased on both sides (the column is stored as typed, e.g. email). */
  readonly caseInsensitive?: boolean;
  /** Whether `sorts` may name it (default: every type but array). */
  readonly sortable?: boolean;
}

/** A row of the search statement: the object's columns plus whatever `select` adds. */
export type SearchRow = Record<string, unknown>;

/**
 * What an object declares to be searchable, exported, imported: the search route, and later
 * batch/import/export, read the same declaration. The table is read without an alias, so scope
 * conditions written against the table name (the list routes') apply unchanged.
 */
export interface SearchableObject<S = unknown> {
  /** The path segment and the name in messages: `customers`. */
  readonly name: string;
  readonly table: string;
  readonly properties: Readonly<Record<string, SearchProperty>>;
  /** The text columns `query` matches (every word must be in one of them). */
  readonly textColumns: readonly string[];
  /** The order when a search names none (`id` is always the last tiebreak). */
  readonly defaultSorts: readonly SearchSort[];
  /** The object's normal representation; `properties` picks from its fields. */
  readonly representation: z.ZodObject;
  /** Extra columns the representation needs (e.g. a deal's pipeline), as select-list expressions. */
  readonly select?: readonly RawBuilder<unknown>[];
  /** The caller's scope as a condition on the table (the list route's own), or undefined for everything. */
  readonly scope: (scope: AccessScope) => RawBuilder<boolean> | undefined;
  /** Rows to representations (the same mappers as the single-record routes). */
  readonly represent: (rows: readonly SearchRow[], services: S) => JsonObject[];
}

/** The properties `sorts` may name. */
export function sortableProperties(object: SearchableObject<any>): string[] {
  return Object.entries(object.properties)
    .filter(([, property]) => property.sortable ?? property.type !== 'array')
    .map(([name]) => name);
}
