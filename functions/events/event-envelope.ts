import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import { contractKey, type EventCatalogue } from './event-contracts.js';

/**
 * The EventBridge Detail of one event: what consumers receive under `detail`. The stream is
 * named after its aggregate — `customer_id` and `customer_version` for a customer's events,
 * `company_id` and `company_version` for a company's — in that position of the object.
 */
export type EventDetail = { readonly [key: string]: JsonValue } & {
  readonly event_id: string;
  readonly event_type: string;
  readonly event_version: number;
  readonly occurred_at: string;
  readonly actor: string;
  readonly data: JsonObject;
};

export function toEventDetail(event: DomainEvent): EventDetail {
  return {
    event_id: event.eventId,
    event_type: event.type,
    event_version: event.eventVersion,
    occurred_at: event.occurredAt,
    [`${event.aggregateType}_id`]: event.aggregateId,
    [`${event.aggregateType}_version`]: event.aggregateVersion,
    actor: event.actor,
    data: event.data,
  } as EventDetail;
}

/** The Detail if it honours its catalogue contract, else what is wrong with it. */
export function checkedDetail(
  event: DomainEvent,
  catalogue: EventCatalogue,
): { ok: true; detail: EventDetail } | { ok: false; problem: string } {
  const detail = toEventDetail(event);
  const contract = catalogue.contractFor(event.type, event.eventVersion);
  if (!contract) return { ok: false, problem: `no contract ${contractKey(event.type, event.eventVersion)} in the event catalogue` };
  const parsed = contract.safeParse(detail);
  if (parsed.success) return { ok: true, detail };
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(detail)'}: ${issue.message}`).join('; ');
  return { ok: false, problem: `violates ${contractKey(event.type, event.eventVersion)}: ${issues}` };
}
