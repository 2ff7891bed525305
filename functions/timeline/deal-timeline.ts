import { sql } from 'kysely';
import { param } from '../db/sql-values.js';
import { dealScope } from '../deals/deal-repository.js';
import { DEALS } from '../deals/deal-table.js';
import { dealBranch, interactionBranch } from './timeline-branches.js';
import { scoped, type TimelineSubject } from './timeline-repository.js';

/** A deal's timeline: its own events (kind `deal`) and the interactions linked to it. */
export function dealTimeline(id: string, repId: string | undefined): TimelineSubject {
  return {
    exists: sql`select 1 from ${sql.table(DEALS)} where id = ${param.uuid(id)} and deleted_at is null ${scoped(dealScope({ ownerId: repId }))}`,
    branches: (record) => [dealBranch(sql<boolean>`d.id = ${record}`, repId), interactionBranch('deal', record)],
  };
}
