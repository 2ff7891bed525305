import { sql } from 'kysely';
import { CUSTOMER_TARGET } from '../../domain/interaction/log-interaction.js';
import { customerScope } from '../customers/customer-repository.js';
import { CUSTOMERS } from '../customers/customer-table.js';
import { param } from '../db/sql-values.js';
import { dealBranch, interactionBranch, lifecycleBranch, orderBranch } from './timeline-branches.js';
import { scoped, type TimelineSubject } from './timeline-repository.js';

/**
 * A customer's timeline: its own events, the interactions linked to it, its orders, and the events
 * of the deals whose primary customer or contacts include it (a sales rep: of the deals they own).
 */
export function customerTimeline(id: string, repId: string | undefined): TimelineSubject {
  return {
    exists: sql`select 1 from ${sql.table(CUSTOMERS)} where id = ${param.uuid(id)} and deleted_at is null ${scoped(customerScope({ assignedTo: repId }))}`,
    branches: (record) => [
      lifecycleBranch('customer', record),
      interactionBranch(CUSTOMER_TARGET, record),
      orderBranch(record),
      dealBranch(
        sql<boolean>`(d.primary_customer_id = ${record} or d.contacts @> jsonb_build_array(jsonb_build_object('customer_id', cast(${record} as text))))`,
        repId,
      ),
    ],
  };
}
