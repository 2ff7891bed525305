import type { AggregateRoot } from '../shared/aggregate-change.js';
import type { CurrencyCode } from '../shared/money.js';
import type { Source } from '../shared/source.js';
import type { Tag } from '../shared/tags.js';
import type { LastInteraction } from '../shared/last-interaction.js';
import type { Timestamp } from '../shared/timestamp.js';
import { stageOf, type ForecastCategory, type Pipeline } from '../pipeline/pipeline.js';

export const DEAL_STATUSES = ['open', 'won', 'lost'] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];

export const CONTACT_ROLES = ['decision_maker', 'champion', 'influencer', 'user', 'other'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export interface DealContact {
  readonly customerId: string;
  readonly role: ContactRole;
}

/** Why a deal was lost: a reason from its pipeline's list, with an optional note and competitor. */
export interface LostDetails {
  readonly reason: string;
  readonly note: string | null;
  readonly competitor: string | null;
}

/** The Deal aggregate: one sales opportunity moving through the stages of one pipeline. */
export interface Deal extends AggregateRoot {
  readonly name: string;
  readonly pipelineId: string;
  readonly stage: string;
  /** Derived from the kind of `stage`; stored so lists and reports can filter on it. */
  readonly status: DealStatus;
  /** In minor units of `currency`; null while the amount is not known. */
  readonly amountMinor: number | null;
  /** Fixed at creation: amounts in different currencies are never compared or added. */
  readonly currency: CurrencyCode;
  readonly expectedCloseDate: string | null;
  readonly closedAt: Timestamp | null;
  readonly lost: LostDetails | null;
  readonly companyId: string | null;
  readonly primaryCustomerId: string | null;
  readonly contacts: readonly DealContact[];
  readonly ownerId: string | null;
  readonly tags: readonly Tag[];
  readonly source: Source;
  readonly externalId: string | null;
  readonly forecastCategoryOverride: ForecastCategory | null;
  readonly stageEnteredAt: Timestamp;
  /** The open stage a closed deal was in when it closed: where reopen takes it back. */
  readonly lastOpenStage: string | null;
  readonly createdAt: Timestamp;
  /** Kept by the database when interactions link the deal; no change sets it. */
  readonly lastInteraction: LastInteraction;
}

/** What every read shows beside the stored fields, from the current stage of the deal's pipeline. */
export interface DealForecast {
  readonly probability: number;
  readonly forecastCategory: ForecastCategory;
  /** amount × probability, rounded to the minor unit; null while the amount is unknown. */
  readonly weightedAmountMinor: number | null;
  readonly daysInStage: number;
}

const DAY_MS = 86_400_000;

export function forecastOf(deal: Deal, pipeline: Pick<Pipeline, 'stages'>, now: Timestamp): DealForecast {
  const stage = stageOf(pipeline, deal.stage);
  const probability = stage?.probability ?? 0;
  return {
    probability,
    forecastCategory: deal.forecastCategoryOverride ?? stage?.forecastCategory ?? 'omitted',
    weightedAmountMinor: deal.amountMinor === null ? null : Math.round(deal.amountMinor * probability),
    daysInStage: Math.max(0, Math.floor((Date.parse(now) - Date.parse(deal.stageEnteredAt)) / DAY_MS)),
  };
}

/** The public (API and event) name of every field a change may set. */
export const DEAL_PUBLIC_NAMES = {
  name: 'name',
  stage: 'stage',
  status: 'status',
  amountMinor: 'amount_minor',
  expectedCloseDate: 'expected_close_date',
  closedAt: 'closed_at',
  lost: 'lost',
  companyId: 'company_id',
  primaryCustomerId: 'primary_customer_id',
  contacts: 'contacts',
  ownerId: 'owner_id',
  tags: 'tags',
  source: 'source',
  externalId: 'external_id',
  forecastCategoryOverride: 'forecast_category_override',
  stageEnteredAt: 'stage_entered_at',
  lastOpenStage: 'last_open_stage',
  deletedAt: 'deleted_at',
} as const;
export type DealPatchableField = keyof typeof DEAL_PUBLIC_NAMES;
