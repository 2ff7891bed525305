import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../functions/db/database.js';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { seededUniform } from '../../bench/analytics/simulate-customers.js';

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

/**
 * A varied purchase history drawn from a seeded buy-till-you-die process (each customer a purchase rate and a chance
 * to drop out after each purchase; spend around a customer's own mean), so the models have something to fit. A few
 * customers also buy once in EUR. Deterministic: a failure replays exactly. `FIXTURE_AS_OF` is after every order.
 */
export function variedOrders(customerIds: readonly string[], seed = 2005): FixtureOrder[] {
  const uniform = seededUniform(seed);
  return customerIds.flatMap((customerId, index) => {
    const weeklyRate = 0.02 - Math.log(1 - uniform()) * 0.3;
    const dropout = 0.05 + 0.5 * uniform();
    const meanSpend = 1_500 + Math.round(uniform() * 6_000);
    const firstDay = Math.floor(uniform() * 120);
    const orders: FixtureOrder[] = [];
    let day = firstDay;
    for (;;) {
      orders.push({
        customerId,
        day: dayAfter('2025-01-01', day),
        totalMinor: Math.round(meanSpend * (0.5 + uniform())),
        completed: orders.length === 0 && index % 2 === 0,
      });
      if (uniform() < dropout) break;
      day += Math.max(1, Math.round((-Math.log(1 - uniform()) / weeklyRate) * 7));
      if (day >= FIXTURE_DAYS) break;
    }
    if (index % 8 === 3) orders.push({ customerId, day: dayAfter('2025-03-01', index % 200), totalMinor: 9_900, currency: 'EUR' });
    return orders;
  });
}

/** Days from 2025-01-01 to the fixtures' as-of date. */
const FIXTURE_DAYS = 364;
export const FIXTURE_AS_OF = '2025-12-31T00:00:00.000Z';
