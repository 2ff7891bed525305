import { sql, type RawBuilder } from 'kysely';
import { companyNotFound } from '../../domain/company/company-errors.js';
import { customerNotFound } from '../../domain/customer/customer-errors.js';
import { dealNotFound } from '../../domain/deal/deal-errors.js';
import type { DomainError } from '../../domain/errors.js';
import { CUSTOMER_TARGET } from '../../domain/interaction/log-interaction.js';
import { customerScope } from '../customers/customer-repository.js';
import { companyScope } from '../companies/company-repository.js';
import { COMPANIES } from '../companies/company-table.js';
import { CUSTOMERS } from '../customers/customer-table.js';
import { dealScope } from '../deals/deal-repository.js';
import { DEALS } from '../deals/deal-table.js';

/**
 * A kind of record an interaction can link: where it lives, how the API names its links, when a
 * caller may see one, and what a missing one is. A new kind is one entry here and one row in
 * customer_mgmt_interaction_targets (the table the triggers that keep `last_interaction_at` read;
 * a test checks both say the same).
 */
export interface LinkTarget {
  /** The target type in the link table and in events (`customer`). */
  readonly type: string;
  /** Its key under `links` in requests and responses. */
  readonly field: string;
  /** Several ids (`customer_ids`) or at most one (`company_id`). */
  readonly many: boolean;
  /** Whether PUT may replace these links (customer links are fixed: participants name them). */
  readonly relinkable: boolean;
  /** The table holding the records; it has `id`, `deleted_at` and `last_interaction_at`. */
  readonly table: string;
  /** The condition (over the target table, unaliased columns) under which a sales rep sees a record; undefined: everyone sees it. */
  visibleToRep(repId: string): RawBuilder<boolean> | undefined;
  /** The 404 for a record that does not exist, is deleted, or is not visible to the caller. */
  notFound(id: string): DomainError;
  /**
   * Whether a new link key-share-locks the record it finds live: a merge (docs/merge.md) locks the
   * records it merges FOR UPDATE, so a link either commits first (and is moved) or waits and finds
   * the record gone. The log takes these locks in the global (type, id) order that relinks and
   * merges lock targets in, so that it never waits while holding one out of order (a relink's
   * FOR UPDATE on a target a log holds would otherwise deadlock with it).
   */
  readonly lockWhenLinked?: boolean;
}

export const LINK_TARGETS: readonly LinkTarget[] = [
  {
    type: CUSTOMER_TARGET,
    field: 'customer_ids',
    many: true,
    relinkable: false,
    lockWhenLinked: true,
    table: CUSTOMERS,
    visibleToRep: (repId) => customerScope({ assignedTo: repId }),
    notFound: customerNotFound,
  },
  {
    // A sales rep sees the companies they own and those of the customers assigned to them.
    type: 'company',
    field: 'company_id',
    many: false,
    relinkable: true,
    lockWhenLinked: true,
    table: COMPANIES,
    visibleToRep: (repId) => companyScope({ ownerId: repId, throughContacts: true }),
    notFound: companyNotFound,
  },
  {
    // A sales rep sees the deals they own.
    type: 'deal',
    field: 'deal_ids',
    many: true,
    relinkable: true,
    table: DEALS,
    visibleToRep: (repId) => dealScope({ ownerId: repId }),
    notFound: dealNotFound,
  },
];

export function linkTarget(type: string): LinkTarget {
  const target = LINK_TARGETS.find((candidate) => candidate.type === type);
  if (!target) throw new Error(`no link target ${type}`);
  return target;
}

/** Whether the record `id` of a target type is live and, for a sales rep, theirs to see (SQL; `id` is bound). */
export function liveAndVisible(target: LinkTarget, id: RawBuilder<unknown>, repId: string | undefined): RawBuilder<boolean> {
  const visible = repId === undefined ? undefined : target.visibleToRep(repId);
  return sql<boolean>`exists (select 1 from ${sql.table(target.table)} where id = ${id} and deleted_at is null ${visible ? sql`and ${visible}` : sql``})`;
}
