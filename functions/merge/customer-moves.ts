import { sql, type RawBuilder } from 'kysely';
import { DEALS } from '../deals/deal-table.js';
import { INTERACTION_LINKS, INTERACTIONS } from '../interactions/interaction-table.js';
import { PURCHASES } from '../purchases/purchase-repository.js';
import { CUSTOMER_EMAILS } from './merge-tables.js';
import { replaceId, replaceInIdSet, replaceInObjects, type RecordMove } from './record-moves.js';

/** The ids of a jsonb array as uuids, for `in (…)` against an indexed uuid column. */
const uuids = (from: RawBuilder<unknown>) => sql`(select cast(x.id as uuid) from jsonb_array_elements_text(${from}) as x(id))`;
const named = (value: RawBuilder<unknown>, from: RawBuilder<unknown>) =>
  sql<boolean>`cast(${value} as text) in (select jsonb_array_elements_text(${from}))`;

/**
 * Everything that points at a customer and moves to the survivor of a customer merge: orders (the
 * purchase summary follows from them), interactions (links and participants; the link table and
 * `last_interaction_at` follow by trigger), deals (primary customer and contacts) and the emails
 * the customer answers to (which become the survivor's aliases).
 */
export const CUSTOMER_MOVES: readonly RecordMove[] = [
  {
    record: 'order',
    table: PURCHASES,
    key: { column: 'order_id', type: 'uuid' },
    columns: [{ column: 'customer_id', type: 'uuid' }],
    references: (from) => sql<boolean>`t.customer_id in ${uuids(from)}`,
    moved: (value, from, to) => ({ customer_id: replaceId(value('customer_id'), from, to) }),
  },
  {
    record: 'interaction',
    table: INTERACTIONS,
    key: { column: 'id', type: 'uuid' },
    columns: [
      { column: 'links', type: 'jsonb' },
      { column: 'participants', type: 'jsonb' },
    ],
    // Participants named by id are among the links too (log-interaction.ts), so the link index finds every one.
    references: (from) => sql<boolean>`t.id in (select l.interaction_id from ${sql.table(INTERACTION_LINKS)} as l
      where l.target_type = 'customer' and l.target_id in ${uuids(from)} and l.deleted_at is null)`,
    moved: (value, from, to) => ({
      links: sql`case when ${value('links')} ? 'customer'
        then jsonb_set(${value('links')}, '{customer}', ${replaceInIdSet(sql`${value('links')} -> 'customer'`, from, to)})
        else ${value('links')} end`,
      participants: replaceInObjects(value('participants'), 'customer_id', from, to),
    }),
  },
  {
    record: 'deal',
    table: DEALS,
    key: { column: 'id', type: 'uuid' },
    columns: [
      { column: 'primary_customer_id', type: 'uuid' },
      { column: 'contacts', type: 'jsonb' },
    ],
    // Each lookup an index answers: the primary customer index, the contacts GIN index once per loser.
    references: (from) => sql<boolean>`t.id in (
      select d.id from ${sql.table(DEALS)} as d where d.primary_customer_id in ${uuids(from)}
      union
      select d.id from ${sql.table(DEALS)} as d, jsonb_array_elements_text(${from}) as x(id)
      where d.contacts @> jsonb_build_array(jsonb_build_object('customer_id', x.id)))`,
    moved: (value, from, to) => ({
      primary_customer_id: replaceId(value('primary_customer_id'), from, to),
      // A contact already on the deal keeps its first role.
      contacts: replaceInObjects(value('contacts'), 'customer_id', from, to, true),
    }),
  },
  {
    record: 'email',
    table: CUSTOMER_EMAILS,
    key: { column: 'email', type: 'text' },
    columns: [
      { column: 'customer_id', type: 'uuid' },
      { column: 'alias', type: 'boolean' },
    ],
    references: (from) => sql<boolean>`t.customer_id in ${uuids(from)}`,
    moved: (value, from, to) => ({
      customer_id: replaceId(value('customer_id'), from, to),
      alias: sql`(${value('alias')} or ${named(value('customer_id'), from)})`,
    }),
  },
];
