import type { Timestamp } from './timestamp.js';

/**
 * When the latest interaction linked to a record took place, kept by the database in the statement
 * that writes the interaction, and how often it has changed (so the record's ETag changes with it).
 */
export interface LastInteraction {
  readonly at: Timestamp | null;
  readonly revision: number;
}

/** A record nobody has interacted with yet. */
export const NO_INTERACTION: LastInteraction = { at: null, revision: 0 };
