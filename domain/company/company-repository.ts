import type { InsertOutcome, SaveOutcome } from '../shared/aggregate-repository.js';
import type { ChangeContext } from '../shared/domain-event.js';
import type { DomainName } from '../shared/domain-name.js';
import type { ChildPage, PagePosition, PageRequest } from '../shared/paging.js';
import type { Tag } from '../shared/tags.js';
import type { Timestamp } from '../shared/timestamp.js';
import type { Company, SizeBand } from './company.js';
import type { CompanyChange } from './company-change.js';
import type { CompanyEvent } from './company.events.js';

/**
 * Which companies a caller may touch: all, or a sales rep's. A rep changes the companies they
 * own and reads those plus the companies of the customers assigned to them; companies outside it
 * behave exactly like companies that do not exist.
 */
export interface CompanyVisibility {
  readonly ownerId?: string | undefined;
  /** Reads also see the companies of the customers assigned to the owner. */
  readonly throughContacts?: boolean | undefined;
}

export const COMPANY_SORT_ORDERS = ['created_at', '-created_at', 'name', '-name'] as const;
export type CompanySortOrder = (typeof COMPANY_SORT_ORDERS)[number];

export interface CompanyListQuery {
  readonly visibility: CompanyVisibility;
  /** Case-insensitive substring of the name or of any of its domains. */
  readonly text?: string | undefined;
  /** Has this domain, as primary or alias. */
  readonly domain?: DomainName | undefined;
  readonly ownerId?: string | undefined;
  readonly industry?: string | undefined;
  readonly sizeBand?: SizeBand | undefined;
  readonly country?: string | undefined;
  readonly tagsAny?: readonly Tag[] | undefined;
  readonly tagsAll?: readonly Tag[] | undefined;
  readonly parentCompanyId?: string | undefined;
  /** Only the live companies below this one, at any depth. */
  readonly subtreeOf?: string | undefined;
  readonly createdFrom?: Timestamp | undefined;
  readonly createdTo?: Timestamp | undefined;
  readonly sort: CompanySortOrder;
  readonly limit: number;
  readonly after?: PagePosition | undefined;
}

export interface CompanyPage {
  readonly companies: readonly Company[];
  readonly next: PagePosition | null;
}

/** A unique rule the database enforces across live companies. */
export type CompanyUniqueField = 'domain' | 'external_id';

/** What the contacts of a company (or of its whole tree) add up to. */
export interface CompanySummary {
  readonly companies: number;
  readonly contacts: number;
  readonly contactsByStatus: Readonly<Record<string, number>>;
  readonly purchases: readonly {
    readonly currency: string;
    readonly orders: number;
    readonly totalMinor: number;
    readonly firstOrderAt: Timestamp;
    readonly lastOrderAt: Timestamp;
  }[];
  /** Deals linked to the company (or the tree), per currency: open now, and closed in the last 365 days. */
  readonly deals: readonly {
    readonly currency: string;
    readonly open: DealTally;
    readonly weightedAmountMinor: number;
    readonly wonLast365Days: DealTally;
    readonly lostLast365Days: DealTally;
  }[];
}

export interface DealTally {
  readonly count: number;
  readonly amountMinor: number;
}

/** Persistence of companies and their event stream; every write one statement with its event. */
export interface CompanyRepository {
  insert(company: Company, event: CompanyEvent): Promise<InsertOutcome>;
  findById(id: string, visibility?: CompanyVisibility): Promise<Company | null>;
  /** The survivor a company was merged into, if it was (and the caller may see it); null otherwise. */
  findMergedInto(id: string, visibility?: CompanyVisibility): Promise<string | null>;
  findByDomain(domain: DomainName, visibility?: CompanyVisibility): Promise<Company | null>;
  /** The live company that holds a unique value (a domain or alias, an external id — a merged loser's names its survivor), if any. */
  findIdByUnique(field: CompanyUniqueField, values: readonly string[], visibility?: CompanyVisibility): Promise<string | null>;
  saveChange(
    id: string,
    change: CompanyChange,
    context: ChangeContext,
    visibility?: CompanyVisibility,
  ): Promise<SaveOutcome<Company, CompanyEvent>>;
  list(query: CompanyListQuery): Promise<CompanyPage>;
  /** Live contacts, live subsidiaries and open deals of a company, to explain a refused delete. */
  dependents(id: string): Promise<{ readonly contacts: number; readonly subsidiaries: number; readonly openDeals: number }>;
  history(id: string, page: PageRequest, visibility?: CompanyVisibility): Promise<ChildPage<CompanyEvent> | null>;
}
