import { toCustomerRecord, type Customer } from '../../domain/customer/customer.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { Purchase } from '../../domain/purchase/purchase.js';

/** A customer as the API shows it: the public record without the soft-delete stamp, plus its order summary. */
export function customerBody(customer: Customer): JsonObject {
  const { deleted_at: _deleted, ...record } = toCustomerRecord(customer);
  const { purchases } = customer;
  return {
    ...record,
    purchase_summary: {
      orders_count: purchases.ordersCount,
      total_spent_minor: purchases.totalSpent,
      first_order_at: purchases.firstOrderAt,
      last_order_at: purchases.lastOrderAt,
    },
    last_interaction_at: customer.lastInteractionAt,
  };
}

/**
 * The entity tag names the representation: the version, and the revision of derived state when
 * orders or interactions have changed it (`"3"`, `"3.2"`): the purchase summary and
 * last_interaction_at change without a new version.
 */
export function etagOf(customer: Customer): string {
  const { revision } = customer.purchases;
  return revision === 0 ? `"${customer.version}"` : `"${customer.version}.${revision}"`;
}

export function purchaseBody(purchase: Purchase): JsonObject {
  return {
    order_id: purchase.orderId,
    state: purchase.state,
    total_minor: purchase.total.amountMinor,
    currency: purchase.total.currency,
    placed_at: purchase.placedAt,
  };
}
