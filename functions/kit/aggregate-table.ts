import type { RawBuilder } from 'kysely';
import type { AggregateKind, AggregateRoot } from '../../domain/shared/aggregate-change.js';
import type { ColumnCodec } from './column-codecs.js';

/**
 * Everything the write kit needs to store one kind of aggregate: the only place besides the
 * aggregate's table module that knows its table, and that module supplies all of it.
 */
export interface AggregateTable<State extends AggregateRoot, Field extends keyof State, Row = any> {
  readonly kind: AggregateKind<State, Field>;
  readonly table: string;
  /** How each field a change may set is stored. */
  readonly columns: Readonly<Record<Field, ColumnCodec>>;
  /** Columns preconditions may test that no change sets (e.g. a revision counter). */
  readonly guardColumns?: Readonly<Record<string, ColumnCodec>>;
  /**
   * Unique indexes and named check constraints (raised by the table or its triggers), by name, and
   * the rule each enforces: a write they stop comes back as a `conflict` on that rule, which the
   * service turns into the aggregate's error. Any other check violation means `not_applied`.
   */
  readonly rules: Readonly<Record<string, string>>;
  /**
   * For aggregates that can be merged (docs/merge.md): the column naming the survivor of a merged
   * record. A read that misses such a record then notes where it went, so that the 404 which says
   * so (MERGED, `details.merged_into`) costs no further call.
   */
  readonly mergedIntoColumn?: string;
  /**
   * The unique rules as SQL, by rule name, so that a write which would break one is answered
   * rather than failed (a failed statement would abort a surrounding Data API transaction):
   * whether another live row (not `exceptId`) already has the value.
   */
  readonly uniqueChecks?: Readonly<
    Record<string, { readonly field: Field; taken(value: RawBuilder<unknown>, exceptId: RawBuilder<unknown> | null): RawBuilder<boolean> }>
  >;
  /**
   * Values that must name something that exists (e.g. an active sales rep), by rule name: a write
   * that sets such a field to a value for which `missing` holds is not applied and comes back as a
   * `conflict` on that rule, decided in the write statement itself (no lookup before it). Null
   * values are not checked.
   */
  readonly referenceChecks?: Readonly<Record<string, { readonly field: Field; missing(value: RawBuilder<unknown>): RawBuilder<boolean> }>>;
  /**
   * The table's own row rules (its check constraints) over the row as a change would leave it,
   * given each field's value after the change: a change that breaks one is not applied.
   */
  rowRules?(after: (field: Field) => RawBuilder<unknown>, changed: readonly Field[], now: RawBuilder<unknown>): RawBuilder<boolean>[];
  /** `AggregateKind.eventFacts` as SQL: a jsonb object over the row after the change (`row` names its columns). */
  eventFacts?(row: (column: string) => RawBuilder<unknown>): RawBuilder<unknown>;
  /** The one place that turns a row into the aggregate. */
  rowToEntity(row: Row): State;
  /** Column values of a new row, each bound with the type PostgreSQL needs. */
  entityToInsert(entity: State): Record<string, unknown>;
}

/**
 * Which rows of an aggregate a caller may touch, as a condition on the table's columns (columns
 * may be qualified with the table name); undefined means every live row.
 */
export type RowScope = RawBuilder<boolean> | undefined;
