import type { Email } from '../shared/email.js';
import type { PurchaseSummary } from '../purchase/purchase.js';
import type { Tag } from '../shared/tags.js';
import type { Customer, CustomerStatus, CustomerTier, Timestamp } from './customer.js';
import type { CustomerChange } from './customer-change.js';
import type { ChangeContext, CustomerEvent } from './customer.events.js';
import type { InsertOutcome as Outcome, SaveOutcome } from '../shared/aggregate-repository.js';
import type { ChildPage, PageRequest } from '../shared/paging.js';

/** A unique rule the database enforces across customers. */
export type UniqueField = 'email' | 'user_id' | 'external_id';

export type InsertOutcome = Outcome;

/** Saved with its event, not applied (a precondition failed: load and let the domain say why), or a unique conflict. */
export type SaveChangeOutcome = SaveOutcome<Customer, CustomerEvent>;

export const SORT_ORDERS = ['created_at', '-created_at', 'name', '-name'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

import type { PagePosition } from '../shared/paging.js';
export type { ChildPage, PagePosition, PageRequest } from '../shared/paging.js';

export interface CustomerListQuery {
  readonly status?: CustomerStatus | undefined;
  readonly tier?: CustomerTier | undefined;
  readonly source?: string | undefined;
  readonly assignedTo?: string | undefined;
  readonly companyId?: string | undefined;
  readonly userId?: string | undefined;
  /** Holds exactly this (trimmed) external id. */
  readonly externalId?: string | undefined;
  /** Has any of these tags. */
  readonly tagsAny?: readonly Tag[] | undefined;
  /** Has all of these tags. */
  readonly tagsAll?: readonly Tag[] | undefined;
  /** Case-insensitive substring of name or email. */
  readonly text?: string | undefined;
  readonly createdFrom?: Timestamp | undefined;
  readonly createdTo?: Timestamp | undefined;
  /** Has a stored analytics insight (in any currency, or the one given) matching these. */
  readonly insight?: InsightFilter | undefined;
  readonly sort: SortOrder;
  readonly limit: number;
  readonly after?: PagePosition | undefined;
}

export interface InsightFilter {
  readonly segment?: string | undefined;
  readonly churnRisk?: string | undefined;
  readonly currency?: string | undefined;
}

export interface CustomerPage {
  readonly customers: readonly Customer[];
  /** Position of the last customer when more may follow, else null. */
  readonly next: PagePosition | null;
}

/**
 * Which customers a read or change may touch: all of them, or only those assigned to one
 * sales rep. Customers outside it behave exactly like customers that do not exist.
 */
export interface Visibility {
  readonly assignedTo?: string | undefined;
}

/** Persistence of customers and their event log. Deleted customers are invisible to every read. */
export interface CustomerRepository {
  /** Stores a new customer; `reads.duplicates` holds its possible duplicates within `visibility` (see docs/duplicates.md). */
  insert(customer: Customer, event: CustomerEvent, visibility?: Visibility): Promise<InsertOutcome>;
  findById(id: string, visibility?: Visibility): Promise<Customer | null>;
  findByEmail(email: Email, visibility?: Visibility): Promise<Customer | null>;
  /** The ids of the live customers within `visibility` holding these emails, by email (at most 50 emails). */
  findIdsByEmails(emails: readonly Email[], visibility?: Visibility): Promise<Map<string, string>>;
  /**
   * The id of the live customer holding a unique value, if it is within `visibility`; an email or
   * external id of a merged loser names its survivor (docs/merge.md).
   */
  findIdByUnique(field: UniqueField, value: string, visibility?: Visibility): Promise<string | null>;
  /**
   * The customer a deleted customer was merged into (docs/merge.md), null when it was not merged or
   * does not exist; `noted` (the default) takes what the last `findById` of it that missed noted.
   */
  findMergedInto(id: string, noted?: boolean): Promise<string | null>;
  /** The live customer at the end of a chain of merges starting at `id` (`id` itself when it is live again, unmerged), null when there is none. */
  resolveMerged(id: string): Promise<string | null>;
  /** Applies the change only if its preconditions hold and it changes something; one statement with its event. */
  saveChange(customerId: string, change: CustomerChange, context: ChangeContext, visibility?: Visibility): Promise<SaveChangeOutcome>;
  list(query: CustomerListQuery): Promise<CustomerPage>;
  /**
   * Locks the customer's row for the rest of the transaction, so concurrent orders of one
   * customer update its summary one after the other. False when there is no such live customer.
   */
  lockForOrders(customerId: string): Promise<boolean>;
  /** Stores the purchase summary orders add up to, counting the change in the summary revision (no new version). */
  saveSummary(customerId: string, summary: PurchaseSummary): Promise<void>;
  /** A page of the customer's events, oldest first, after the event `page.after`; null when the customer does not exist or is deleted. */
  history(customerId: string, page: PageRequest, visibility?: Visibility): Promise<ChildPage<CustomerEvent> | null>;
}
