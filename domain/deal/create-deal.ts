import type { DomainError } from '../errors.js';
import type { ChangeContext } from '../shared/domain-event.js';
import type { JsonObject } from '../shared/json.js';
import { parseCurrency, type CurrencyCode } from '../shared/money.js';
import { err, ok, type Result } from '../shared/result.js';
import { DEFAULT_SOURCE } from '../shared/source.js';
import { firstOpenStage, stageOf, type Pipeline } from '../pipeline/pipeline.js';
import { DEAL_PUBLIC_NAMES, type Deal } from './deal.js';
import type { DealEvent } from './deal.events.js';
import { DealFieldValidator } from './deal-fields.js';
import { NO_INTERACTION } from '../shared/last-interaction.js';

/** What a caller may say about a new deal; status follows from the stage (always an open one). */
export interface NewDealInput {
  readonly name: string;
  readonly stage?: string | undefined;
  readonly amountMinor?: number | null | undefined;
  readonly currency?: string | undefined;
  readonly expectedCloseDate?: string | null | undefined;
  readonly companyId?: string | null | undefined;
  readonly primaryCustomerId?: string | null | undefined;
  readonly contacts?: readonly { readonly customer_id: string; readonly role: string }[] | undefined;
  readonly ownerId?: string | null | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly source?: string | undefined;
  readonly externalId?: string | null | undefined;
  readonly forecastCategoryOverride?: string | null | undefined;
}

/** The deal as events carry it: every public field. */
export function toDealRecord(deal: Deal): JsonObject {
  const record: Record<string, JsonObject[string]> = { id: deal.id, pipeline_id: deal.pipelineId, currency: deal.currency };
  for (const [field, name] of Object.entries(DEAL_PUBLIC_NAMES)) {
    const value = deal[field as keyof typeof DEAL_PUBLIC_NAMES];
    record[name] =
      field === 'contacts' ? deal.contacts.map((c) => ({ customer_id: c.customerId, role: c.role })) : (value as JsonObject[string]);
  }
  return { ...record, version: deal.version, created_at: deal.createdAt, updated_at: deal.updatedAt };
}

/** Opens a deal in an open stage of its pipeline (the first one unless named) and records DealCreated. */
export function createDeal(
  input: NewDealInput,
  pipeline: Pipeline,
  context: ChangeContext & { readonly id: string },
): Result<{ entity: Deal; event: DealEvent }, DomainError> {
  const fields = new DealFieldValidator();
  const stage = input.stage === undefined ? firstOpenStage(pipeline) : stageOf(pipeline, input.stage);
  if (!stage) {
    return err({
      code: 'DEAL.UNKNOWN_STAGE',
      message: `The pipeline has no stage "${input.stage}". Its stages are: ${pipeline.stages.map((s) => s.key).join(', ')}.`,
      details: { stages: pipeline.stages.map((s) => s.key) },
    });
  }
  if (stage.kind !== 'open') {
    return err({
      code: 'DEAL.USE_CLOSE_COMMAND',
      message: `A deal starts in an open stage; "${stage.key}" is ${stage.kind}. Create it, then POST /deals/{id}/${stage.kind === 'won' ? 'win' : 'lose'} (closed_at may be in the past).`,
      details: { stage: stage.key, kind: stage.kind, command: stage.kind === 'won' ? 'win' : 'lose' },
    });
  }
  const currency = parseCurrency(input.currency ?? pipeline.currency);
  if (!currency.ok) fields.fail('amount.currency', currency.error);
  const companyId = input.companyId ?? null;
  const primaryCustomerId = input.primaryCustomerId ?? null;
  fields.linked(companyId, primaryCustomerId);
  const draft = {
    name: fields.name(input.name),
    amountMinor: fields.amount(input.amountMinor ?? null),
    expectedCloseDate: fields.date('expected_close_date', input.expectedCloseDate ?? null),
    contacts: fields.contacts(input.contacts ?? []),
    tags: fields.tags(input.tags ?? []),
    source: input.source === undefined ? DEFAULT_SOURCE : fields.source(input.source),
    externalId: fields.externalId(input.externalId ?? null),
    forecastCategoryOverride: fields.forecastCategory(input.forecastCategoryOverride ?? null),
  };
  const valid = fields.result(draft);
  if (!valid.ok) return valid;

  const entity: Deal = {
    id: context.id,
    ...valid.value,
    pipelineId: pipeline.id,
    stage: stage.key,
    status: 'open',
    currency: (currency as { value: CurrencyCode }).value,
    closedAt: null,
    lost: null,
    companyId,
    primaryCustomerId,
    ownerId: input.ownerId ?? null,
    stageEnteredAt: context.now,
    lastOpenStage: null,
    version: 1,
    createdAt: context.now,
    updatedAt: context.now,
    deletedAt: null,
    lastInteraction: NO_INTERACTION,
  };
  const event: DealEvent = {
    eventId: context.eventId,
    type: 'DealCreated',
    eventVersion: 1,
    aggregateType: 'deal',
    aggregateId: entity.id,
    aggregateVersion: 1,
    occurredAt: context.now,
    actor: context.actor,
    data: { deal: toDealRecord(entity), probability: stage.probability, forecast_category: stage.forecastCategory },
  };
  return ok({ entity, event });
}
