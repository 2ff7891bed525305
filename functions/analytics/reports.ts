import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { EVENTS } from '../events/event-table.js';

export interface LifecycleFunnel {
  readonly from: string;
  readonly to: string;
  /** Customers created (as leads) in [from, to). */
  readonly leads: number;
  /** Of those, qualified (lead → prospect) at any time since. */
  readonly prospects: number;
  /** Of those, converted (prospect → customer) at any time since. */
  readonly customers: number;
  readonly medianDaysLeadToProspect: number | null;
  readonly medianDaysProspectToCustomer: number | null;
}

export interface CohortRow {
  /** `YYYY-MM`: the month (UTC) of the customers' first counted order in the currency. */
  readonly cohort: string;
  readonly customers: number;
  /** Customers ordering again in the k-th month after the cohort month (index 0: the next month), up to the current month. */
  readonly returning: readonly number[];
}

const month = (column: string) =>
  sql<number>`(extract(year from ${sql.ref(column)} at time zone 'UTC') * 12 + extract(month from ${sql.ref(column)} at time zone 'UTC') - 1)::int`;
const label = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
const monthIndex = (date: Date) => date.getUTCFullYear() * 12 + date.getUTCMonth();
const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** Reports computed on request from the event log and the purchase history (no stored state, so always true to history). */
export function createReports(db: Kysely<Database>) {
  return {
    /**
     * The lead → prospect → customer funnel of the customers created in [from, to), from the customers' own events: a
     * step counts when its first event happened, whatever the customer's status is today (churned, deleted, …).
     */
    async lifecycleFunnel(from: string, to: string): Promise<LifecycleFunnel> {
      const { rows } = await sql<Record<string, unknown>>`
        with created as (
          select aggregate_id as id, occurred_at as created_at from ${sql.table(EVENTS)}
          where aggregate_type = 'customer' and event_type = 'CustomerCreated'
            and occurred_at >= ${param.timestamptz(from)} and occurred_at < ${param.timestamptz(to)}
        ), steps as (
          select c.created_at,
            (select min(e.occurred_at) from ${sql.table(EVENTS)} e
             where e.aggregate_type = 'customer' and e.aggregate_id = c.id and e.event_type = 'CustomerQualified') as qualified_at,
            (select min(e.occurred_at) from ${sql.table(EVENTS)} e
             where e.aggregate_type = 'customer' and e.aggregate_id = c.id and e.event_type = 'CustomerConverted') as converted_at
          from created c
        )
        select count(*) as leads, count(qualified_at) as prospects, count(converted_at) as customers,
          percentile_cont(0.5) within group (order by extract(epoch from qualified_at - created_at) / 86400) as lead_to_prospect,
          percentile_cont(0.5) within group (order by extract(epoch from converted_at - qualified_at) / 86400) as prospect_to_customer
        from steps`.execute(db);
      const row = rows[0] ?? {};
      return {
        from,
        to,
        leads: Number(row.leads ?? 0),
        prospects: Number(row.prospects ?? 0),
        customers: Number(row.customers ?? 0),
        medianDaysLeadToProspect: nullableNumber(row.lead_to_prospect),
        medianDaysProspectToCustomer: nullableNumber(row.prospect_to_customer),
      };
    },

    /**
     * Monthly cohorts of one currency: customers by the month of their first counted (not refunded) order, and how
     * many of them ordered in each later month up to `now`'s month. A keyset page of cohorts, oldest first.
     */
    async cohorts(currency: string, now: Date, page: { readonly limit: number; readonly after?: string | undefined }) {
      const after = page.after ? Number(page.after.slice(0, 4)) * 12 + Number(page.after.slice(5, 7)) - 1 : null;
      const { rows } = await sql<{ cohort: number | string; offset_months: number | string; customers: number | string }>`
        with months as (
          select p.customer_id, ${month('p.placed_at')} as month
          from customer_mgmt_purchases p join customer_mgmt_customers c on c.id = p.customer_id and c.deleted_at is null
          where p.state <> 'refunded' and p.currency = ${currency} and p.placed_at <= ${param.timestamptz(now.toISOString())}
          group by 1, 2
        ), firsts as (
          select customer_id, min(month) as cohort from months group by customer_id
        ), page as (
          select distinct cohort from firsts ${after === null ? sql`` : sql`where cohort > ${after}`}
          order by cohort limit ${page.limit + 1}
        )
        select f.cohort, m.month - f.cohort as offset_months, count(*) as customers
        from firsts f join page on page.cohort = f.cohort join months m on m.customer_id = f.customer_id
        group by f.cohort, m.month - f.cohort
        order by f.cohort, offset_months`.execute(db);
      const lastMonth = monthIndex(now);
      const cohorts = new Map<number, { customers: number; returning: number[] }>();
      for (const row of rows) {
        const cohort = Number(row.cohort);
        let entry = cohorts.get(cohort);
        if (!entry) cohorts.set(cohort, (entry = { customers: 0, returning: new Array<number>(Math.max(0, lastMonth - cohort)).fill(0) }));
        const offset = Number(row.offset_months);
        if (offset === 0) entry.customers = Number(row.customers);
        else entry.returning[offset - 1] = Number(row.customers);
      }
      const all = [...cohorts.entries()].map(([cohort, entry]): CohortRow => ({ cohort: label(cohort), ...entry }));
      return { items: all.slice(0, page.limit), hasMore: all.length > page.limit };
    },
  };
}

export type Reports = ReturnType<typeof createReports>;
