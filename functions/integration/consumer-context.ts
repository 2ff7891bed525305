import type { CustomerRepository } from '../../domain/customer/customer-repository.js';
import type { CustomerService } from '../customers/customer-service.js';
import type { PurchaseRepository } from '../purchases/purchase-repository.js';
import type { SalesRepDirectory } from '../sales-reps/sales-rep-directory.js';

/** What a consumer's handler may use; every part works inside the one transaction of the event. */
export interface ConsumerContext {
  readonly customers: CustomerService;
  readonly customerRepository: CustomerRepository;
  readonly purchases: PurchaseRepository;
  readonly salesReps: SalesRepDirectory;
  /** The time the event is applied (ISO-8601). */
  readonly now: string;
  /** Who the resulting customer events are attributed to, e.g. `service:order-management`. */
  readonly actor: string;
}
