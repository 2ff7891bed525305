import type { Jsonb, NullableTimestamp, Timestamp } from '../db/column-types.js';

/** Every email a live customer answers to: its own and its merged duplicates' (see the merges migration). */
export const CUSTOMER_EMAILS = 'customer_mgmt_customer_emails' as const;
/** One row per merge: the merge ledger's header. */
export const MERGES = 'customer_mgmt_merges' as const;
/** One row per record a merge moved, with the moved columns before and after. */
export const MERGE_MOVES = 'customer_mgmt_merge_moves' as const;
/** The losers of each merge, and when one was given back. */
export const MERGE_LOSERS = 'customer_mgmt_merge_losers' as const;

export interface CustomerEmailsTable {
  email: string;
  customer_id: string;
  alias: boolean;
}

export interface MergesTable {
  id: string;
  aggregate_type: string;
  survivor_id: string;
  merged_ids: Jsonb<string[]>;
  field_sources: Jsonb<Record<string, string>>;
  actor: string;
  merged_at: Timestamp;
  undo_until: Timestamp;
}

export interface MergeMovesTable {
  merge_id: string;
  record_type: string;
  record_id: string;
  loser_ids: Jsonb<string[]>;
  before: Jsonb<Record<string, unknown>>;
  after: Jsonb<Record<string, unknown>>;
}

export interface MergeLosersTable {
  merge_id: string;
  loser_id: string;
  unmerged_at: NullableTimestamp;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_customer_emails: CustomerEmailsTable;
    customer_mgmt_merges: MergesTable;
    customer_mgmt_merge_moves: MergeMovesTable;
    customer_mgmt_merge_losers: MergeLosersTable;
  }
}
