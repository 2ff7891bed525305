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
  /** Unique indexes, by name, and the rule (a name the service turns into an error) each enforces. */
  readonly uniqueIndexes: Readonly<Record<string, string>>;
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
