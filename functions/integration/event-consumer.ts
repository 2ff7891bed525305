import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import { createCustomerRepository } from '../customers/customer-repository.js';
import { createCustomerService } from '../customers/customer-service.js';
import type { Database } from '../db/database.js';
import { createPurchaseRepository } from '../purchases/purchase-repository.js';
import { createSalesRepDirectory } from '../sales-reps/sales-rep-directory.js';
import type { ConsumerContext } from './consumer-context.js';
import { DeadLetter } from './dead-letter.js';
import { identityHandlers } from './identity-consumer.js';
import { EventBridgeEnvelope, IDENTITY_SOURCE, IdentityEvents, ORDER_SOURCE, OrderEvents } from './incoming-events.js';
import { orderHandler } from './order-consumer.js';
import { markProcessed, parkDeadLetter } from './processed-events.js';
import type { z } from 'zod';

export type ConsumeOutcome =
  | { readonly outcome: 'applied'; readonly event_id: string; readonly detail_type: string; readonly result: string }
  | { readonly outcome: 'duplicate'; readonly event_id: string; readonly detail_type: string }
  | { readonly outcome: 'dead_lettered'; readonly event_id: string | null; readonly detail_type: string | null; readonly reason: string };

type Handler = (detail: any, context: ConsumerContext) => Promise<string>;
interface Subscription {
  readonly schema: z.ZodType;
  readonly handle: Handler;
  /** Who customer events caused by this source are attributed to. */
  readonly actor: string;
}

/** Every incoming event type we act on, by `source` and `detail-type`. */
const SUBSCRIPTIONS: Record<string, Subscription> = {
  ...Object.fromEntries(
    Object.entries(IdentityEvents).map(([type, schema]) => [
      `${IDENTITY_SOURCE}/${type}`,
      { schema, handle: identityHandlers[type as keyof typeof identityHandlers] as Handler, actor: 'service:identity' },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(OrderEvents).map(([type, schema]) => [
      `${ORDER_SOURCE}/${type}`,
      { schema, handle: orderHandler(type as keyof typeof OrderEvents) as Handler, actor: 'service:order-management' },
    ]),
  ),
};

export const SUBSCRIBED_EVENTS = Object.keys(SUBSCRIPTIONS);

/** The contract of every incoming event we act on (for tools and tests that walk them). */
export const SUBSCRIBED_CONTRACTS = Object.entries(SUBSCRIPTIONS).map(([key, { schema }]) => {
  const [source, detailType] = key.split('/') as [string, string];
  return { source, detailType, schema };
});

const describeIssues = (issues: readonly { path: readonly PropertyKey[]; message: string }[], whole: string) =>
  issues.map((issue) => `${issue.path.map(String).join('.') || whole}: ${issue.message}`).join('; ');

/** No contract we read nests this deep; a detail that does is refused before any parser recurses into it. */
export const MAX_DETAIL_DEPTH = 16;

function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const item of Object.values(current)) pending.push([item, depth + 1]);
  }
  return false;
}

export interface ConsumerOptions {
  readonly clock?: () => Date;
  /** Delivers the customer events an incoming event caused, once its transaction committed. */
  readonly afterCommit?: (events: readonly DomainEvent[]) => Promise<void>;
}

/**
 * Applies incoming events exactly once each: the event id is recorded in the same transaction
 * as its effects, so a redelivery is recognised and skipped. An event that can never be applied
 * (malformed, unknown type, refused by the domain) is parked as a dead letter with the reason;
 * any other failure is thrown so that the delivery is retried.
 */
export function createEventConsumer(db: Kysely<Database>, options: ConsumerOptions = {}) {
  const clock = options.clock ?? (() => new Date());

  async function deadLetter(raw: unknown, reason: string, now: string, envelope?: EventBridgeEnvelope): Promise<ConsumeOutcome> {
    await db.transaction().execute(async (trx) => {
      if (envelope) await markProcessed(trx, envelope, now);
      await parkDeadLetter(trx, raw, reason, now);
    });
    return { outcome: 'dead_lettered', event_id: envelope?.id ?? null, detail_type: envelope?.['detail-type'] ?? null, reason };
  }

  return async function consume(raw: unknown): Promise<ConsumeOutcome> {
    const now = clock().toISOString();
    const parsed = EventBridgeEnvelope.safeParse(raw);
    if (!parsed.success) return deadLetter(raw, `not an EventBridge event: ${describeIssues(parsed.error.issues, 'event')}`, now);
    const envelope = parsed.data;
    if (nestedDeeperThan(envelope.detail, MAX_DETAIL_DEPTH)) {
      return deadLetter(raw, `the detail is nested deeper than ${MAX_DETAIL_DEPTH} levels`, now, envelope);
    }
    const subscription = SUBSCRIPTIONS[`${envelope.source}/${envelope['detail-type']}`];
    if (!subscription) return deadLetter(raw, `no consumer for ${envelope.source} ${envelope['detail-type']}`, now, envelope);
    const detail = subscription.schema.safeParse(envelope.detail);
    if (!detail.success) {
      return deadLetter(raw, `invalid ${envelope['detail-type']} detail: ${describeIssues(detail.error.issues, 'detail')}`, now, envelope);
    }

    const committed: DomainEvent[] = [];
    try {
      const outcome = await db.transaction().execute(async (trx): Promise<ConsumeOutcome> => {
        if (!(await markProcessed(trx, envelope, now)))
          return { outcome: 'duplicate', event_id: envelope.id, detail_type: envelope['detail-type'] };
        const customerRepository = createCustomerRepository(trx);
        const context: ConsumerContext = {
          customers: createCustomerService({
            customers: customerRepository,
            now: clock,
            newId: uuidv7,
            afterCommit: async (events) => void committed.push(...events),
          }),
          customerRepository,
          purchases: createPurchaseRepository(trx),
          salesReps: createSalesRepDirectory(trx),
          now,
          actor: subscription.actor,
        };
        const result = await subscription.handle(detail.data, context);
        return { outcome: 'applied', event_id: envelope.id, detail_type: envelope['detail-type'], result };
      });
      if (committed.length > 0) await options.afterCommit?.(committed);
      return outcome;
    } catch (error) {
      if (error instanceof DeadLetter) return deadLetter(raw, error.reason, now, envelope);
      throw error;
    }
  };
}

export type EventConsumer = ReturnType<typeof createEventConsumer>;
