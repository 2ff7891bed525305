import { sql, type RawBuilder } from 'kysely';
import { CUSTOMER_STATUSES } from '../../domain/customer/customer.js';
import { lifecyclePath } from '../../domain/customer/lifecycle-path.js';
import type { Deal } from '../../domain/deal/deal.js';
import type { DomainError } from '../../domain/errors.js';
import { param } from '../db/sql-values.js';
import type { RowValue, WriteRule } from '../kit/aggregate-store.js';
import { companyLive } from './deal-table.js';

const CUSTOMERS = 'customer_mgmt_customers';

/**
 * Rules a deal write keeps across aggregates beyond the table's reference checks, each checked
 * inside the write statement (the kit answers the first that fails by name). `customer_lifecycle`
 * is not an error: a win whose primary customer must move on is done again in a transaction that
 * moves the customer too.
 */
export type DealLinkRule = 'customer' | 'company' | 'customer_company' | 'customer_lifecycle';

/** Customer statuses a won deal moves on to `customer` (lead, prospect, churned), read off the lifecycle table. */
const BEFORE_CUSTOMER = CUSTOMER_STATUSES.filter((status) => (lifecyclePath(status, 'customer') ?? []).length > 0);

const rule = (name: DealLinkRule, holds: (row: RowValue) => RawBuilder<boolean>): WriteRule => ({ rule: name, holds });

/**
 * The link rules a write of `set` (a new deal, or a change) must keep, over the deal's row as the
 * write leaves it. `customersOf` is a sales rep's id: they link only customers assigned to them.
 */
// The customer checks key-share-lock the row they find: a merge (docs/merge.md) locks its customers
// FOR UPDATE, so a link either commits first (and the merge moves it) or waits and finds the loser gone.
export function dealLinkRules(set: Partial<Deal>, customersOf: string | undefined, event?: string): WriteRule[] {
  const rules: WriteRule[] = [];
  if (set.primaryCustomerId) {
    rules.push(
      rule(
        'customer',
        (row) => sql<boolean>`exists (select 1 from ${sql.table(CUSTOMERS)} c
          where c.id = ${row('primary_customer_id')} and c.deleted_at is null
          ${customersOf === undefined ? sql`` : sql`and c.assigned_to = ${param.uuid(customersOf)}`}
          for key share of c)`,
      ),
    );
  }
  // A reopened deal is open again: its company must still be live (a new company_id is a reference check of the table).
  if (set.status === 'open' && set.companyId === undefined) {
    rules.push(rule('company', (row) => sql<boolean>`(${row('company_id')} is null or ${companyLive(row('company_id'))})`));
  }
  if (set.companyId !== undefined || set.primaryCustomerId !== undefined) {
    rules.push(
      rule(
        'customer_company',
        (row) => sql<boolean>`(${row('company_id')} is null or ${row('primary_customer_id')} is null or exists (
          select 1 from ${sql.table(CUSTOMERS)} member
          where member.id = ${row('primary_customer_id')} and member.company_id = ${row('company_id')}))`,
      ),
    );
  }
  if (event === 'DealWon') {
    rules.push(
      rule(
        'customer_lifecycle',
        (row) => sql<boolean>`not exists (select 1 from ${sql.table(CUSTOMERS)} moving
          where moving.id = ${row('primary_customer_id')} and moving.deleted_at is null
            and moving.status in (${sql.join(BEFORE_CUSTOMER.map((status) => sql`${status}`))}))`,
      ),
    );
  }
  return rules;
}

/** The error of a broken link rule (or the table's company check), with the values the write tried. */
export function dealLinkError(broken: Exclude<DealLinkRule, 'customer_lifecycle'>, attempted: Partial<Deal>): DomainError {
  switch (broken) {
    case 'customer':
      return {
        code: 'DEAL.UNKNOWN_CUSTOMER',
        message: `No live customer ${attempted.primaryCustomerId ?? ''} exists that you may link; create it first or pick another.`,
        details: { field: 'primary_customer_id', primary_customer_id: attempted.primaryCustomerId ?? '' },
      };
    case 'company':
      return {
        code: 'DEAL.UNKNOWN_COMPANY',
        message: `company_id ${attempted.companyId ?? ''} names no live company; create the company first (POST /companies) or give the id of an existing one.`,
        details: { field: 'company_id', company_id: attempted.companyId ?? null },
      };
    case 'customer_company':
      return {
        code: 'DEAL.CUSTOMER_NOT_IN_COMPANY',
        message:
          "A deal's primary customer must be a contact of its company (the customer's company_id is the deal's). " +
          'Link the customer to the company first, or leave one of them out.',
        details: {
          field: 'primary_customer_id',
          ...(attempted.primaryCustomerId !== undefined && { primary_customer_id: attempted.primaryCustomerId }),
          ...(attempted.companyId !== undefined && { company_id: attempted.companyId }),
        },
      };
  }
}
