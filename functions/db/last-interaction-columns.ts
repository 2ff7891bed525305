import type { ColumnType } from 'kysely';
import type { LastInteraction } from '../../domain/shared/last-interaction.js';
import { toNullableIsoTimestamp } from './sql-values.js';

/**
 * The columns the interaction triggers keep on a record interactions link (companies, deals):
 * read-only to every write of the record itself.
 */
export interface LastInteractionColumns {
  last_interaction_at: ColumnType<Date | string | null, never, never>;
  interaction_revision: ColumnType<number | string, never, never>;
}

export function lastInteractionOf(row: {
  last_interaction_at: Date | string | null;
  interaction_revision: number | string;
}): LastInteraction {
  return { at: toNullableIsoTimestamp(row.last_interaction_at), revision: Number(row.interaction_revision) };
}
