import { sql, type Kysely } from 'kysely';
import type { ChildPage, PageRequest } from '../../domain/customer/customer-repository.js';
import type { Purchase, PurchaseState } from '../../domain/purchase/purchase.js';
import type { CurrencyCode } from '../../domain/shared/money.js';
import type { Database } from '../db/database.js';
import { param, toIsoTimestamp } from '../db/sql-values.js';

import type { ColumnType } from 'kysely';
import type { Timestamp } from '../db/column-types.js';
export interface PurchasesTable {
  order_id: string;
  customer_id: string;
  state: string;
  total_minor: ColumnType<number | string, number, number>;
  currency: string;
  placed_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_purchases: PurchasesTable;
  }
}

export const PURCHASES = 'customer_mgmt_purchases';

type PurchaseRow = {
  order_id: string;
  customer_id: string;
  state: string;
  total_minor: number | string;
  currency: string;
  placed_at: Date | string;
};

function rowToPurchase(row: PurchaseRow): Purchase {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    state: row.state as PurchaseState,
    total: { amountMinor: Number(row.total_minor), currency: row.currency as CurrencyCode },
    placedAt: toIsoTimestamp(row.placed_at),
  };
}

/** Purchase history (the summary it adds up to lives on the customer: see the customer repository). */
export function createPurchaseRepository(db: Kysely<Database>) {
  return {
    /** The order as we know it, locked until the surrounding transaction ends. */
    async findForUpdate(orderId: string): Promise<Purchase | null> {
      const row = await db.selectFrom(PURCHASES).selectAll().where('order_id', '=', param.uuid(orderId)).forUpdate().executeTakeFirst();
      return row ? rowToPurchase(row) : null;
    },

    async save(purchase: Purchase, now: string): Promise<void> {
      await db
        .insertInto(PURCHASES)
        .values({
          order_id: param.uuid(purchase.orderId),
          customer_id: param.uuid(purchase.customerId),
          state: purchase.state,
          total_minor: purchase.total.amountMinor,
          currency: purchase.total.currency,
          placed_at: param.timestamptz(purchase.placedAt),
          updated_at: param.timestamptz(now),
        })
        .onConflict((conflict) => conflict.column('order_id').doUpdateSet({ state: purchase.state, updated_at: param.timestamptz(now) }))
        .execute();
    },

    /**
     * A page of a customer's orders, newest first (placed_at, then order_id, descending), after
     * the order named by `after`; `unknown_after` when that is not one of this customer's orders.
     */
    async listForCustomer(customerId: string, page: PageRequest): Promise<ChildPage<Purchase>> {
      const take = page.limit + 1;
      if (page.after === undefined) {
        const rows = await db
          .selectFrom(PURCHASES)
          .selectAll()
          .where('customer_id', '=', param.uuid(customerId))
          .orderBy('placed_at', 'desc')
          .orderBy('order_id', 'desc')
          .limit(take)
          .execute();
        return { kind: 'page', items: rows.slice(0, page.limit).map(rowToPurchase), hasMore: rows.length > page.limit };
      }
      // One statement: no row at all when the anchor order is unknown, one row without an order when nothing follows it.
      const { rows } = await sql<{ [K in keyof PurchaseRow]: PurchaseRow[K] | null }>`
        select page.*
        from (select placed_at, order_id from ${sql.table(PURCHASES)}
              where order_id = ${param.uuid(page.after)} and customer_id = ${param.uuid(customerId)}) anchor
        left join lateral (
          select p.* from ${sql.table(PURCHASES)} p
          where p.customer_id = ${param.uuid(customerId)} and (p.placed_at, p.order_id) < (anchor.placed_at, anchor.order_id)
          order by p.placed_at desc, p.order_id desc
          limit ${take}
        ) page on true
        order by page.placed_at desc, page.order_id desc`.execute(db);
      if (rows.length === 0) return { kind: 'unknown_after' };
      const purchases = rows.filter((row): row is PurchaseRow => row.order_id !== null);
      return { kind: 'page', items: purchases.slice(0, page.limit).map(rowToPurchase), hasMore: purchases.length > page.limit };
    },
  };
}

export type PurchaseRepository = ReturnType<typeof createPurchaseRepository>;
