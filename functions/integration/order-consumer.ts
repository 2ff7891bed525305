import type { z } from 'zod';
import { adjustSummary, mergePurchase, type Purchase, type PurchaseState } from '../../domain/purchase/purchase.js';
import { parseCurrency } from '../../domain/shared/money.js';
import type { ConsumerContext } from './consumer-context.js';
import { DeadLetter } from './dead-letter.js';
import { unwrap } from './identity-consumer.js';
import type { OrderEvents, OrderEventType } from './incoming-events.js';

const REPORTED_STATE: Record<OrderEventType, PurchaseState> = {
  OrderPlaced: 'placed',
  OrderCompleted: 'completed',
  OrderRefunded: 'refunded',
};

/**
 * Records an order in the customer's purchase history and summary. A completed order makes the
 * customer a paying customer through the lifecycle (lead: qualify, convert; churned: reactivate,
 * convert), each step with its own event.
 */
export function orderHandler(type: OrderEventType) {
  return async (detail: z.infer<(typeof OrderEvents)[OrderEventType]>, context: ConsumerContext): Promise<string> => {
    const currency = parseCurrency(detail.currency);
    if (!currency.ok) throw new DeadLetter(`${type} ${detail.order_id}: ${currency.error}`);
    const customerId = await lockCustomer(context, detail.customer_id);
    const customer = customerId ? await context.customerRepository.findById(customerId) : null;
    if (!customer) throw new DeadLetter(`${type} ${detail.order_id}: no customer ${detail.customer_id} (unknown or deleted)`);

    const reported: Purchase = {
      orderId: detail.order_id,
      customerId: customer.id,
      state: REPORTED_STATE[type],
      total: { amountMinor: detail.total_minor, currency: currency.value },
      placedAt: detail.placed_at,
    };
    const known = await context.purchases.findForUpdate(detail.order_id);
    if (known && known.customerId !== reported.customerId) {
      throw new DeadLetter(`${type} ${detail.order_id}: the order belongs to customer ${known.customerId}, not ${reported.customerId}`);
    }
    const merged = mergePurchase(known, reported);
    if (known && merged.state === known.state) return `order already ${known.state}`;
    const summary = adjustSummary(customer.purchases, known, merged);
    if (!summary.ok) throw new DeadLetter(`${type} ${detail.order_id}: ${summary.error}`);
    await context.purchases.save(merged, context.now);
    await context.customerRepository.saveSummary(customer.id, summary.value);

    if (merged.state !== 'completed') return `order ${merged.state}`;
    const steps = unwrap('after a completed order', await context.customers.advanceTo(customer, 'customer', context.actor));
    return steps.length > 0 ? `order completed; customer moved by ${steps.join(', ')}` : 'order completed';
  };
}

/**
 * Locks the customer an order names for the rest of the transaction; an order naming a customer
 * merged into another applies to the survivor (docs/merge.md). A merge committing between the
 * lookup and the lock moves the survivor on, and an unmerge committing meanwhile makes the named
 * customer live again: looked up again, a few times.
 */
async function lockCustomer(context: ConsumerContext, named: string): Promise<string | null> {
  let id = named;
  for (let hop = 0; hop < 5; hop++) {
    if (await context.customerRepository.lockForOrders(id)) return id;
    const survivor = await context.customerRepository.resolveMerged(id);
    if (survivor === null) return null;
    id = survivor;
  }
  return null;
}
