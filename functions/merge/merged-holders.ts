import { sql, type RawBuilder } from 'kysely';

/** How many merges a chain of merges is followed through (a chain is short: a survivor merged in its turn). */
const MAX_CHAIN = 20;

/**
 * The ids of the live records that `match` (a condition over `held`, a row of `table`) names
 * (docs/merge.md): a live record that matches, or the survivor at the end of the merges of a merged
 * loser that does — a loser's external id stays reserved and answers for its survivor, as a merged
 * email does. For `id in (…)` in the caller's statement.
 */
export function liveHolders(table: string, match: RawBuilder<boolean>): RawBuilder<string> {
  return sql<string>`(with recursive chain (id, merged_into, deleted_at, depth) as (
      select held.id, held.merged_into, held.deleted_at, 0 from ${sql.table(table)} as held
      where ${match} and (held.deleted_at is null or held.merged_into is not null)
      union all
      select next.id, next.merged_into, next.deleted_at, chain.depth + 1
      from ${sql.table(table)} as next join chain on next.id = chain.merged_into
      where chain.deleted_at is not null and chain.depth < ${sql.lit(MAX_CHAIN)})
    select chain.id from chain where chain.deleted_at is null)`;
}
