import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { EventCatalogue } from './event-contracts.js';
import { traced } from '../observability.js';
import { NO_RETRY, createEventBridgePublisher } from './eventbridge-publisher.js';
import { createImmediateDelivery } from './immediate-delivery.js';
import { createOutbox } from './outbox.js';
import { createRelayWakeUp } from './relay-wake-up.js';

/**
 * Delivers committed events right away when a bus is configured, and wakes the relay (when its
 * function is named) for whatever that did not deliver; with immediate delivery off, every commit
 * only wakes the relay. Without either, the relay's scheduled sweep catches up.
 */
export function immediateDeliveryFor(
  config: Config,
  db: Kysely<Database>,
  logger: Logger,
  catalogue: EventCatalogue,
): ((events: readonly DomainEvent[]) => Promise<void>) | undefined {
  const busName = config.events.busName;
  const relayFunction = config.events.relayFunctionName;
  // Queued by Lambda (202 at once); a short timeout keeps a slow control plane off the request.
  const wakeRelay = relayFunction
    ? createRelayWakeUp({
        client: traced(new LambdaClient({ maxAttempts: 2, requestHandler: { requestTimeout: 1_000 } })),
        functionName: relayFunction,
        logger,
      })
    : undefined;
  if (busName === undefined || !config.events.deliverAfterCommit) {
    return wakeRelay && ((events) => (events.length > 0 ? wakeRelay(events.map((event) => event.eventId)) : Promise.resolve()));
  }
  // One attempt, no SDK retries: whatever misses the budget is the relay's to send.
  const client = traced(new EventBridgeClient({ maxAttempts: 1 }));
  return createImmediateDelivery({
    outbox: createOutbox(db),
    publisher: createEventBridgePublisher({ client, busName, source: config.events.source, catalogue, retry: NO_RETRY }),
    logger,
    budgetMs: config.events.publishBudgetMs,
    wakeRelay,
  });
}
