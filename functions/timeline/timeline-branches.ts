import { sql, type RawBuilder } from 'kysely';
import { DEALS } from '../deals/deal-table.js';
import { EVENTS } from '../events/event-table.js';
import { INTERACTION_LINKS, INTERACTIONS } from '../interactions/interaction-table.js';
import { PURCHASES } from '../purchases/purchase-repository.js';
import { param } from '../db/sql-values.js';
import type { TimelineBranch } from './timeline-repository.js';

/**
 * The kinds of timeline item, each as a branch over its own index, for any record: a timeline is
 * a choice of these with the condition that says which rows are about the record. Ranks order
 * kinds that share a timestamp (higher first) and are part of the cursor, so they never change.
 */

/** Events of one stream (`customer`, `company`): the record's own lifecycle and changes (idx_events_stream_time). */
export function lifecycleBranch(stream: string, record: RawBuilder<unknown>): TimelineBranch {
  return {
    kind: 'lifecycle',
    rank: 3,
    from: sql`${sql.table(EVENTS)} e`,
    at: sql.ref('e.occurred_at'),
    id: sql.ref('e.event_id'),
    actor: sql.ref('e.actor'),
    detail: sql`jsonb_build_object('stream', e.aggregate_type, 'event_type', e.event_type, 'version', e.aggregate_version, 'data', e.data)`,
    where: sql<boolean>`e.aggregate_type = ${sql.lit(stream)} and e.aggregate_id = ${record}`,
  };
}

const interactionDetail = sql`jsonb_build_object('type', i.type, 'direction', i.direction, 'outcome', i.outcome, 'duration_s', i.duration_s, 'subject', i.subject)`;

/**
 * Interactions linked to a record of one target type (idx_interaction_links_target): `target` is
 * its id, or `owner.id` with `within` listing related records (a company's contacts). `unless`
 * leaves out interactions another branch shows (over `l`, the link row), so that an interaction is
 * on a timeline once.
 */
export function interactionBranch(
  targetType: string,
  target: RawBuilder<unknown>,
  options: { readonly unless?: RawBuilder<boolean>; readonly within?: RawBuilder<unknown> } = {},
): TimelineBranch {
  return {
    kind: 'interaction',
    rank: 2,
    from: sql`${sql.table(INTERACTION_LINKS)} l join ${sql.table(INTERACTIONS)} i on i.id = l.interaction_id`,
    at: sql.ref('l.occurred_at'),
    id: sql.ref('l.interaction_id'),
    actor: sql.ref('i.owner_id'),
    detail: interactionDetail,
    where: sql<boolean>`l.target_type = ${sql.lit(targetType)} and l.target_id = ${target} and l.deleted_at is null
      ${options.unless ? sql`and not (${options.unless})` : sql``}`,
    within: options.within,
  };
}

/** Orders of a customer (idx_purchases_customer_time): `customer` is its id, or `owner.id` with `within` listing customers. */
export function orderBranch(customer: RawBuilder<unknown>, within?: RawBuilder<unknown>): TimelineBranch {
  return {
    kind: 'order',
    rank: 1,
    from: sql`${sql.table(PURCHASES)} p`,
    at: sql.ref('p.placed_at'),
    id: sql.ref('p.order_id'),
    actor: sql`cast(null as text)`,
    detail: sql`jsonb_build_object('state', p.state, 'total_minor', p.total_minor, 'currency', p.currency)`,
    where: sql<boolean>`p.customer_id = ${customer}`,
    within,
  };
}

/**
 * Events of the live deals that `dealsWhere` picks (over `d`, the deals table) and that a sales rep
 * (`repId`) owns: each deal's own stream, a page per deal (idx_events_stream_time).
 */
export function dealBranch(dealsWhere: RawBuilder<boolean>, repId: string | undefined): TimelineBranch {
  const owned = repId === undefined ? sql`` : sql`and d.owner_id = ${param.uuid(repId)}`;
  return {
    kind: 'deal',
    rank: 4,
    from: sql`${sql.table(EVENTS)} e`,
    at: sql.ref('e.occurred_at'),
    id: sql.ref('e.event_id'),
    actor: sql.ref('e.actor'),
    detail: sql`jsonb_build_object('deal_id', e.aggregate_id, 'event_type', e.event_type, 'deal_version', e.aggregate_version, 'data', e.data)`,
    where: sql<boolean>`e.aggregate_type = 'deal' and e.aggregate_id = owner.id`,
    within: sql`(select d.id from ${sql.table(DEALS)} d where d.deleted_at is null and ${dealsWhere} ${owned}) as owner`,
  };
}
