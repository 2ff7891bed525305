import type { CustomerEvent } from '../../domain/customer/customer.events.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { contractFor, contractKey } from './event-catalogue.js';

/** The EventBridge Detail of one event: what consumers receive under `detail`. */
export type EventDetail = {
  readonly event_id: string;
  readonly event_type: string;
  readonly event_version: number;
  readonly occurred_at: string;
  readonly customer_id: string;
  readonly customer_version: number;
  readonly actor: string;
  readonly data: JsonObject;
};

export function toEventDetail(event: CustomerEvent): EventDetail {
  return {
    event_id: event.eventId,
    event_type: event.type,
    event_version: event.eventVersion,
    occurred_at: event.occurredAt,
    customer_id: event.customerId,
    customer_version: event.customerVersion,
    actor: event.actor,
    data: event.data,
  };
}

/** The Detail if it honours its catalogue contract, else what is wrong with it. */
export function checkedDetail(event: CustomerEvent): { ok: true; detail: EventDetail } | { ok: false; problem: string } {
  const detail = toEventDetail(event);
  const contract = contractFor(event.type, event.eventVersion);
  if (!contract) return { ok: false, problem: `no contract ${contractKey(event.type, event.eventVersion)} in the event catalogue` };
  const parsed = contract.safeParse(detail);
  if (parsed.success) return { ok: true, detail };
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(detail)'}: ${issue.message}`).join('; ');
  return { ok: false, problem: `violates ${contractKey(event.type, event.eventVersion)}: ${issues}` };
}
