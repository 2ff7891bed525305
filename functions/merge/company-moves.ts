import { sql, type RawBuilder } from 'kysely';
import { COMPANIES } from '../companies/company-table.js';
import { CUSTOMERS } from '../customers/customer-table.js';
import { DEALS } from '../deals/deal-table.js';
import { INTERACTION_LINKS, INTERACTIONS } from '../interactions/interaction-table.js';
import { replaceId, replaceInIdSet, type RecordMove } from './record-moves.js';

/** The ids of a jsonb array as uuids, for `in (…)` against an indexed uuid column. */
const uuids = (from: RawBuilder<unknown>) => sql`(select cast(x.id as uuid) from jsonb_array_elements_text(${from}) as x(id))`;

/**
 * Everything that points at a company and moves to the survivor of a company merge: its contacts
 * (customers' `company_id`), deals, interactions (the `company` links; the link table and
 * `last_interaction_at` follow by trigger) and subsidiaries (`parent_company_id`; a loser below
 * another loser moves under the survivor too, so that no loser is left with a live subsidiary).
 * The domains are not moved records: they become the survivor's aliases with its own row.
 */
export const COMPANY_MOVES: readonly RecordMove[] = [
  {
    record: 'contact',
    table: CUSTOMERS,
    key: { column: 'id', type: 'uuid' },
    columns: [{ column: 'company_id', type: 'uuid' }],
    references: (from) => sql<boolean>`t.company_id in ${uuids(from)}`,
    moved: (value, from, to) => ({ company_id: replaceId(value('company_id'), from, to) }),
  },
  {
    record: 'deal',
    table: DEALS,
    key: { column: 'id', type: 'uuid' },
    columns: [{ column: 'company_id', type: 'uuid' }],
    references: (from) => sql<boolean>`t.company_id in ${uuids(from)}`,
    moved: (value, from, to) => ({ company_id: replaceId(value('company_id'), from, to) }),
  },
  {
    record: 'interaction',
    table: INTERACTIONS,
    key: { column: 'id', type: 'uuid' },
    columns: [{ column: 'links', type: 'jsonb' }],
    references: (from) => sql<boolean>`t.id in (select l.interaction_id from ${sql.table(INTERACTION_LINKS)} as l
      where l.target_type = 'company' and l.target_id in ${uuids(from)} and l.deleted_at is null)`,
    moved: (value, from, to) => ({
      links: sql`case when ${value('links')} ? 'company'
        then jsonb_set(${value('links')}, '{company}', ${replaceInIdSet(sql`${value('links')} -> 'company'`, from, to)})
        else ${value('links')} end`,
    }),
  },
  {
    record: 'subsidiary',
    table: COMPANIES,
    key: { column: 'id', type: 'uuid' },
    columns: [{ column: 'parent_company_id', type: 'uuid' }],
    references: (from) => sql<boolean>`t.parent_company_id in ${uuids(from)}`,
    moved: (value, from, to) => ({ parent_company_id: replaceId(value('parent_company_id'), from, to) }),
  },
];

/** How a merge reports each kind of moved record (`moved.contacts`, …). */
export const COMPANY_MOVED_KEYS: Readonly<Record<string, string>> = {
  contact: 'contacts',
  deal: 'deals',
  interaction: 'interactions',
  subsidiary: 'subsidiaries',
};
