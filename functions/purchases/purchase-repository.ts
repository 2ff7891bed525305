import type { Kysely } from 'kysely';
import type { Purchase, PurchaseState, PurchaseSummary } from '../../domain/purchase/purchase.js';
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

const PURCHASES = 'customer_mgmt_purchases';
const CUSTOMERS = 'customer_mgmt_customers';

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

/** Purchase history and the order summary kept on each customer. */
export function createPurchaseRepository(db: Kysely<Database>) {
  return {
    /**
     * Locks the customer's row for the rest of the transaction, so concurrent orders of one
     * customer update its summary one after the other. False when there is no such live customer.
     */
    async lockCustomer(customerId: string): Promise<boolean> {
      const row = await db
        .selectFrom(CUSTOMERS)
        .select('id')
        .where('id', '=', param.uuid(customerId))
        .where('deleted_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      return row !== undefined;
    },

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

    async saveSummary(customerId: string, summary: PurchaseSummary): Promise<void> {
      await db
        .updateTable(CUSTOMERS)
        .set({
          orders_count: summary.ordersCount,
          total_spent: param.jsonb(summary.totalSpent),
          first_order_at: summary.firstOrderAt === null ? null : param.timestamptz(summary.firstOrderAt),
          last_order_at: summary.lastOrderAt === null ? null : param.timestamptz(summary.lastOrderAt),
        })
        .where('id', '=', param.uuid(customerId))
        .execute();
    },

    /** A customer's orders, newest first. */
    async listForCustomer(customerId: string): Promise<Purchase[]> {
      const rows = await db
        .selectFrom(PURCHASES)
        .selectAll()
        .where('customer_id', '=', param.uuid(customerId))
        .orderBy('placed_at', 'desc')
        .orderBy('order_id', 'desc')
        .execute();
      return rows.map(rowToPurchase);
    },
  };
}

export type PurchaseRepository = ReturnType<typeof createPurchaseRepository>;
