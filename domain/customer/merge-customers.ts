import type { DomainError } from '../errors.js';
import { validationFailed } from '../errors.js';
import { mergedInto } from '../merge/merge-errors.js';
import { addTo, type CurrencyCode } from '../shared/money.js';
import { err, ok, type Result } from '../shared/result.js';
import { MAX_TAGS, type Tag } from '../shared/tags.js';
import type { Email } from '../shared/email.js';
import type { PurchaseSummary } from '../purchase/purchase.js';
import { PUBLIC_FIELD_NAMES, type Customer, type CustomerStatus, type CustomerTier } from './customer.js';
import { customerErased, customerNotFound } from './customer-errors.js';

/** The scalar fields a merge fills from the losers when the survivor's is blank; `field_choices` may name their source. */
export const CHOOSABLE_FIELDS = ['name', 'phone', 'source', 'assignedTo', 'companyId'] as const;
export type ChoosableField = (typeof CHOOSABLE_FIELDS)[number];

/** Further along the funnel wins; an active customer beats a churned one (the person buys under one of the records). */
const STATUS_RANK: Readonly<Record<CustomerStatus, number>> = { lead: 0, prospect: 1, churned: 2, customer: 3 };
const TIER_RANK: Readonly<Record<CustomerTier, number>> = { free: 0, basic: 1, pro: 2, enterprise: 3 };

/** The fields a merge sets on the survivor, each with its merged value. */
export interface MergedCustomerFields {
  readonly name: string;
  readonly phone: Customer['phone'];
  readonly source: Customer['source'];
  readonly assignedTo: string | null;
  readonly companyId: string | null;
  readonly userId: string | null;
  readonly status: CustomerStatus;
  readonly churnedAt: string | null;
  readonly tier: CustomerTier;
  readonly tags: readonly Tag[];
}

export interface CustomerMergeDecision {
  readonly fields: MergedCustomerFields;
  /** The survivor's fields that change, by public name, `{from, to}`. */
  readonly changes: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
  /** Which record each merged field's value came from, by public name. */
  readonly fieldSources: Readonly<Record<string, string>>;
  /** The losers' emails: the survivor's aliases from now on. */
  readonly aliases: readonly Email[];
  /** The survivor's purchase summary with every loser's orders. */
  readonly purchases: PurchaseSummary;
}

export interface CustomerMergeRequest {
  readonly survivorId: string;
  readonly mergeIds: readonly string[];
  readonly fieldChoices: Partial<Record<ChoosableField, string>>;
}

/**
 * The records a merge names, as stored (deleted ones too, so that a merged one can say where it
 * went): the survivor and losers by id.
 */
export interface MergeCandidates {
  readonly found: ReadonlyMap<string, Customer & { readonly mergedInto: string | null }>;
}

const blank = (field: ChoosableField, value: unknown) =>
  value === null || value === undefined || (field === 'source' && value === 'unknown');

/**
 * Decides a customer merge (docs/merge.md): which records take part, and the survivor's fields,
 * aliases and purchase summary afterwards. Pure: the shell reads the records and writes the result.
 */
export function decideCustomerMerge(
  request: CustomerMergeRequest,
  candidates: MergeCandidates,
): Result<CustomerMergeDecision, DomainError> {
  const { survivorId, mergeIds } = request;
  if (mergeIds.includes(survivorId)) {
    return err({ code: 'MERGE.INVALID_SET', message: 'merge_ids names the survivor itself; list only the duplicates to merge into it.' });
  }
  if (new Set(mergeIds).size !== mergeIds.length) {
    return err({ code: 'MERGE.INVALID_SET', message: 'merge_ids names a customer twice; list each duplicate once.' });
  }
  const records: Customer[] = [];
  for (const id of [survivorId, ...mergeIds]) {
    const record = candidates.found.get(id);
    if (!record) return err(customerNotFound(id));
    if (record.deletedAt !== null) return err(record.mergedInto ? mergedInto('customer', id, record.mergedInto) : customerNotFound(id));
    if (record.erasedAt !== null) return err(customerErased(id, record.erasedAt));
    records.push(record);
  }
  const [survivor, ...unordered] = records as [Customer, ...Customer[]];
  // Blanks are filled from the most recently updated loser first.
  const losers = [...unordered].sort((a, b) =>
    a.updatedAt === b.updatedAt ? a.id.localeCompare(b.id) : a.updatedAt < b.updatedAt ? 1 : -1,
  );
  const everyone = [survivor, ...losers];

  for (const [field, source] of Object.entries(request.fieldChoices) as [ChoosableField, string][]) {
    if (!everyone.some((record) => record.id === source)) {
      return err(
        validationFailed([{ field: `field_choices.${PUBLIC_FIELD_NAMES[field]}`, message: 'must be the survivor or one of merge_ids' }]),
      );
    }
  }

  const sources: Record<string, string> = {};
  const pick = <F extends ChoosableField>(field: F): Customer[F] => {
    const chosen = request.fieldChoices[field];
    const from = chosen
      ? everyone.find((record) => record.id === chosen)!
      : (everyone.find((record) => !blank(field, record[field])) ?? survivor);
    sources[PUBLIC_FIELD_NAMES[field]] = from.id;
    return from[field];
  };

  const userIds = [...new Set(everyone.map((record) => record.userId).filter((id): id is string => id !== null))];
  if (userIds.length > 1) {
    return err({
      code: 'MERGE.CONFLICTING_ACCOUNTS',
      message: 'These customers are linked to different user accounts; one person has one account, so they cannot be merged.',
      details: { user_ids: userIds },
    });
  }
  const userId = userIds[0] ?? null;
  sources[PUBLIC_FIELD_NAMES.userId] = userId === null ? survivor.id : everyone.find((record) => record.userId === userId)!.id;
  // B2C (a user account) and B2B (a company contact) stay exclusive: with an account, a blank company is not filled.
  let companyId: string | null;
  if (userId !== null && request.fieldChoices.companyId === undefined) {
    companyId = survivor.companyId;
    sources[PUBLIC_FIELD_NAMES.companyId] = survivor.id;
  } else {
    companyId = pick('companyId');
  }
  if (userId !== null && companyId !== null) {
    return err({
      code: 'MERGE.ACCOUNT_TYPE_CONFLICT',
      message:
        'One of these customers is linked to a user account (B2C) and the merged customer would be a company contact (B2B); ' +
        'a customer is one or the other. Leave the company out (field_choices.company_id naming a record without one) or merge differently.',
      details: { user_id: userId, company_id: companyId },
    });
  }

  const statusFrom = everyone.reduce((best, record) => (STATUS_RANK[record.status] > STATUS_RANK[best.status] ? record : best), survivor);
  const tierFrom = everyone.reduce((best, record) => (TIER_RANK[record.tier] > TIER_RANK[best.tier] ? record : best), survivor);
  const tags = [...new Set(everyone.flatMap((record) => record.tags))];
  if (tags.length > MAX_TAGS) {
    return err({
      code: 'MERGE.TOO_MANY_TAGS',
      message: `Together these customers have ${tags.length} distinct tags; a customer holds at most ${MAX_TAGS}. Remove some tags first.`,
      details: { tags: tags.length, max: MAX_TAGS },
    });
  }
  const purchases = combinedPurchases(
    survivor.purchases,
    losers.map((loser) => loser.purchases),
  );
  if (!purchases.ok) return err({ code: 'MERGE.TOTAL_TOO_LARGE', message: purchases.error });

  const fields: MergedCustomerFields = {
    name: pick('name'),
    phone: pick('phone'),
    source: pick('source'),
    assignedTo: pick('assignedTo'),
    companyId,
    userId,
    status: statusFrom.status,
    churnedAt: statusFrom.churnedAt,
    tier: tierFrom.tier,
    tags: tags as Tag[],
  };
  sources[PUBLIC_FIELD_NAMES.status] = statusFrom.id;
  sources[PUBLIC_FIELD_NAMES.churnedAt] = statusFrom.id;
  sources[PUBLIC_FIELD_NAMES.tier] = tierFrom.id;
  sources[PUBLIC_FIELD_NAMES.tags] = survivor.id;

  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, value] of Object.entries(fields) as [keyof MergedCustomerFields, unknown][]) {
    const before = survivor[field];
    const same = field === 'tags' ? (before as Tag[]).length === tags.length : before === value;
    if (!same) changes[PUBLIC_FIELD_NAMES[field]] = { from: before, to: value };
  }
  return ok({ fields, changes, fieldSources: sources, aliases: losers.map((loser) => loser.email), purchases: purchases.value });
}

/** The survivor's summary with the losers' orders: counts and spend add up, first and last are the extremes. */
export function combinedPurchases(survivor: PurchaseSummary, losers: readonly PurchaseSummary[]): Result<PurchaseSummary, string> {
  let totals = survivor.totalSpent;
  let ordersCount = survivor.ordersCount;
  let firstOrderAt = survivor.firstOrderAt;
  let lastOrderAt = survivor.lastOrderAt;
  for (const loser of losers) {
    ordersCount += loser.ordersCount;
    for (const [currency, amountMinor] of Object.entries(loser.totalSpent)) {
      const added = addTo(totals, { currency: currency as CurrencyCode, amountMinor });
      if (!added.ok) return added;
      totals = added.value;
    }
    if (loser.firstOrderAt !== null && (firstOrderAt === null || loser.firstOrderAt < firstOrderAt)) firstOrderAt = loser.firstOrderAt;
    if (loser.lastOrderAt !== null && (lastOrderAt === null || loser.lastOrderAt > lastOrderAt)) lastOrderAt = loser.lastOrderAt;
  }
  return ok({ ordersCount, totalSpent: totals, firstOrderAt, lastOrderAt, revision: survivor.revision + 1 });
}
