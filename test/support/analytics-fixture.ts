import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../functions/db/database.js';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';

export interface FixtureOrder {
  readonly customerId: string;
  /** `YYYY-MM-DD`: the order is placed at noon UTC that day. */
  readonly day: string;
  readonly totalMinor: number;
  readonly currency?: string;
  /** Completed orders move the customer through the lifecycle to `customer`; placed ones do not. */
  readonly completed?: boolean;
}

/** Feeds orders through the real Order consumer path (OrderPlaced, then OrderCompleted when asked), as Order Management would. */
export async function feedOrders(db: Kysely<Database>, orders: readonly FixtureOrder[]): Promise<void> {
  const consume = createEventConsumer(db);
  for (const order of orders) {
    const detail = {
      order_id: randomUUID(),
      customer_id: order.customerId,
      total_minor: order.totalMinor,
      currency: order.currency ?? 'USD',
      placed_at: `${order.day}T12:00:00Z`,
    };
    for (const type of order.completed ? ['OrderPlaced', 'OrderCompleted'] : ['OrderPlaced']) {
      const outcome = await consume({ id: randomUUID(), source: 'order-management', 'detail-type': type, time: detail.placed_at, detail });
      if (outcome.outcome !== 'applied') throw new Error(`fixture order not applied: ${JSON.stringify(outcome)}`);
    }
  }
}

/** `count` days after `start` (YYYY-MM-DD). */
export const dayAfter = (start: string, count: number) =>
  new Date(Date.parse(`${start}T00:00:00Z`) + count * 86_400_000).toISOString().slice(0, 10);
