import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { AnalyticsOrder } from '../../domain/analytics/customer-summary.js';
import type { CustomerStatus } from '../../domain/customer/customer.js';
import type { CurrencyCode } from '../../domain/shared/money.js';
import type { Database } from '../db/database.js';
import { param, toIsoTimestamp } from '../db/sql-values.js';

/** One live customer's counted orders up to the as-of date, in all currencies. */
export interface CustomerHistory {
  readonly customerId: string;
  readonly status: CustomerStatus;
  readonly orders: readonly AnalyticsOrder[];
}

export interface CurrencyPopulation {
  readonly currency: string;
  readonly customers: number;
  /** The first counted order in the currency: the start of the data window. */
  readonly firstOrderAt: string;
}

/** Rows per read: a page of orders stays far below the Data API's 1 MiB response limit (about 150 bytes a row). */
export const ORDER_PAGE_ROWS = 2_000;

type OrderRow = {
  customer_id: string;
  status: string;
  order_id: string;
  state: string;
  total_minor: number | string;
  currency: string;
  placed_at: Date | string;
};

const PURCHASES = sql.table('customer_mgmt_purchases');
const CUSTOMERS = sql.table('customer_mgmt_customers');

/**
 * The purchase history the Order consumer keeps, as the analytics read it: counted (not refunded) orders placed up to
 * the as-of date, of customers that are not deleted. Read in keyset pages in customer id order, so a run can stop
 * after any customer and go on from there in another invocation.
 */
export function createPurchaseHistoryReader(db: Kysely<Database>, pageRows = ORDER_PAGE_ROWS) {
  const counted = (asOf: string) => sql`p.state <> 'refunded' and p.placed_at <= ${param.timestamptz(asOf)} and c.deleted_at is null`;

  return {
    /** Customers and the first order per currency: sizes the fit sample before anything is read. */
    async populations(asOf: string): Promise<CurrencyPopulation[]> {
      const { rows } = await sql<{ currency: string; customers: number | string; first_order_at: Date | string }>`
        select p.currency, count(distinct p.customer_id) as customers, min(p.placed_at) as first_order_at
        from ${PURCHASES} p join ${CUSTOMERS} c on c.id = p.customer_id
        where ${counted(asOf)}
        group by p.currency order by p.currency`.execute(db);
      return rows.map((row) => ({
        currency: String(row.currency),
        customers: Number(row.customers),
        firstOrderAt: toIsoTimestamp(row.first_order_at),
      }));
    },

    /** Every customer's history after `afterCustomer` (null: from the first), one customer at a time, in id order. */
    async *histories(asOf: string, afterCustomer: string | null): AsyncGenerator<CustomerHistory> {
      let position: { customer: string; order: string } | null = null;
      let current: { customerId: string; status: CustomerStatus; orders: AnalyticsOrder[] } | null = null;
      for (;;) {
        // Within a customer the order of rows does not matter to the summaries: order ids make an exact keyset.
        const keyset: RawBuilder<unknown> = position
          ? sql`(p.customer_id, p.order_id) > (${param.uuid(position.customer)}, ${param.uuid(position.order)})`
          : afterCustomer
            ? sql`p.customer_id > ${param.uuid(afterCustomer)}`
            : sql`true`;
        const { rows }: { rows: OrderRow[] } = await sql<OrderRow>`
          select p.customer_id, c.status, p.order_id, p.state, p.total_minor, p.currency, p.placed_at
          from ${PURCHASES} p join ${CUSTOMERS} c on c.id = p.customer_id
          where ${counted(asOf)} and ${keyset}
          order by p.customer_id, p.order_id
          limit ${pageRows}`.execute(db);
        for (const row of rows) {
          if (current && current.customerId !== row.customer_id) {
            yield current;
            current = null;
          }
          current ??= { customerId: row.customer_id, status: row.status as CustomerStatus, orders: [] };
          current.orders.push({
            customerId: row.customer_id,
            placedAt: toIsoTimestamp(row.placed_at),
            state: row.state as AnalyticsOrder['state'],
            total: { amountMinor: Number(row.total_minor), currency: String(row.currency) as CurrencyCode },
          });
        }
        const last: OrderRow | undefined = rows[rows.length - 1];
        if (!last || rows.length < pageRows) break;
        position = { customer: last.customer_id, order: last.order_id };
      }
      if (current) yield current;
    },
  };
}

export type PurchaseHistoryReader = ReturnType<typeof createPurchaseHistoryReader>;
