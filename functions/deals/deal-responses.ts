import { forecastOf, type Deal } from '../../domain/deal/deal.js';
import type { Pipeline } from '../../domain/pipeline/pipeline.js';
import type { JsonObject } from '../../domain/shared/json.js';

/** A deal as the API shows it: its fields and what its pipeline's current stage says of it today. */
export function dealBody(deal: Deal, pipeline: Pipeline, now: string): JsonObject {
  const forecast = forecastOf(deal, pipeline, now);
  return {
    id: deal.id,
    name: deal.name,
    pipeline_id: deal.pipelineId,
    stage: deal.stage,
    status: deal.status,
    amount: { amount_minor: deal.amountMinor, currency: deal.currency },
    probability: forecast.probability,
    forecast_category: forecast.forecastCategory,
    weighted_amount: { amount_minor: forecast.weightedAmountMinor, currency: deal.currency },
    days_in_stage: forecast.daysInStage,
    expected_close_date: deal.expectedCloseDate,
    closed_at: deal.closedAt,
    lost_reason: deal.lost?.reason ?? null,
    lost_note: deal.lost?.note ?? null,
    competitor: deal.lost?.competitor ?? null,
    company_id: deal.companyId,
    primary_customer_id: deal.primaryCustomerId,
    contacts: deal.contacts.map((contact) => ({ customer_id: contact.customerId, role: contact.role })),
    owner_id: deal.ownerId,
    tags: [...deal.tags],
    source: deal.source,
    external_id: deal.externalId,
    forecast_category_override: deal.forecastCategoryOverride,
    stage_entered_at: deal.stageEnteredAt,
    version: deal.version,
    created_at: deal.createdAt,
    updated_at: deal.updatedAt,
    last_interaction_at: deal.lastInteraction.at,
  };
}

/**
 * The entity tag names the representation: the deal's version, and a revision of what is derived
 * from elsewhere — its pipeline's version (probabilities, categories), the days in stage, which
 * grow without a change, and the revision of last_interaction_at, which interactions move — so a
 * cached copy is never answered 304 once any of them moved.
 */
export function dealEtag(deal: Deal, pipeline: Pipeline, now: string): string {
  const derived = pipeline.version * 100_000 + forecastOf(deal, pipeline, now).daysInStage;
  const revision = (derived * 1_000 + deal.lastInteraction.revision) % 1_000_000_000;
  return `"${deal.version}.${revision}"`;
}
