import { toCompanyRecord, type Company } from '../../domain/company/company.js';
import type { CompanySummary } from '../../domain/company/company-repository.js';
import type { JsonObject } from '../../domain/shared/json.js';

/** A company as the API shows it: the public record without the soft-delete stamp, and when it was last interacted with. */
export function companyBody(company: Company): JsonObject {
  const { deleted_at: _deleted, ...record } = toCompanyRecord(company);
  return { ...record, last_interaction_at: company.lastInteraction.at };
}

/**
 * The entity tag names the representation: its version, and the revision of last_interaction_at
 * once interactions have moved it (`"3"`, `"3.2"`), which changes without a new version.
 */
export function companyEtag(company: Company): string {
  const { revision } = company.lastInteraction;
  return revision === 0 ? `"${company.version}"` : `"${company.version}.${revision}"`;
}

export function summaryBody(companyId: string, includeSubsidiaries: boolean, summary: CompanySummary): JsonObject {
  return {
    company_id: companyId,
    include_subsidiaries: includeSubsidiaries,
    companies: summary.companies,
    contacts: summary.contacts,
    contacts_by_status: summary.contactsByStatus,
    purchases: summary.purchases.map((totals) => ({
      currency: totals.currency,
      orders: totals.orders,
      total_minor: totals.totalMinor,
      first_order_at: totals.firstOrderAt,
      last_order_at: totals.lastOrderAt,
    })),
    deals: summary.deals.map((totals) => ({
      currency: totals.currency,
      open_count: totals.open.count,
      open_amount_minor: totals.open.amountMinor,
      weighted_amount_minor: totals.weightedAmountMinor,
      won_count: totals.wonLast365Days.count,
      won_amount_minor: totals.wonLast365Days.amountMinor,
      lost_count: totals.lostLast365Days.count,
      lost_amount_minor: totals.lostLast365Days.amountMinor,
    })),
  };
}
