import { sql } from 'kysely';
import type { Visibility } from '../../domain/customer/customer-repository.js';
import { CUSTOMER_TARGET } from '../../domain/interaction/log-interaction.js';
import { customerScope } from '../customers/customer-repository.js';
import { CUSTOMERS } from '../customers/customer-table.js';
import { EVENTS } from '../events/event-table.js';
import { INTERACTION_LINKS, INTERACTIONS } from '../interactions/interaction-table.js';
import { PURCHASES } from '../purchases/purchase-repository.js';
import { scoped, type TimelineSubject } from './timeline-repository.js';

/**
 * A customer's timeline: its own events (lifecycle and changes), the interactions linked to it
 * and its orders. Each branch is served by an index of the interactions migration:
 * idx_events_stream_time, idx_interaction_links_target and idx_purchases_customer_time.
 */
export function customerTimeline(id: string, visibility: Visibility): TimelineSubject {
  return {
    exists: sql`select 1 from ${sql.table(CUSTOMERS)} where id = cast(${id} as uuid) and deleted_at is null ${scoped(customerScope(visibility))}`,
    branches: (record) => [
      {
        kind: 'lifecycle',
        rank: 3,
        from: sql`${sql.table(EVENTS)} e`,
        at: sql.ref('e.occurred_at'),
        id: sql.ref('e.event_id'),
        actor: sql.ref('e.actor'),
        detail: sql`jsonb_build_object('event_type', e.event_type, 'customer_version', e.aggregate_version, 'data', e.data)`,
        where: sql<boolean>`e.aggregate_type = 'customer' and e.aggregate_id = ${record}`,
      },
      {
        kind: 'interaction',
        rank: 2,
        from: sql`${sql.table(INTERACTION_LINKS)} l join ${sql.table(INTERACTIONS)} i on i.id = l.interaction_id`,
        at: sql.ref('l.occurred_at'),
        id: sql.ref('l.interaction_id'),
        actor: sql.ref('i.owner_id'),
        detail: sql`jsonb_build_object('type', i.type, 'direction', i.direction, 'outcome', i.outcome, 'duration_s', i.duration_s, 'subject', i.subject)`,
        where: sql<boolean>`l.target_type = ${sql.lit(CUSTOMER_TARGET)} and l.target_id = ${record} and l.deleted_at is null`,
      },
      {
        kind: 'order',
        rank: 1,
        from: sql`${sql.table(PURCHASES)} p`,
        at: sql.ref('p.placed_at'),
        id: sql.ref('p.order_id'),
        actor: sql`cast(null as text)`,
        detail: sql`jsonb_build_object('state', p.state, 'total_minor', p.total_minor, 'currency', p.currency)`,
        where: sql<boolean>`p.customer_id = ${record}`,
      },
    ],
  };
}
