import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { EventCatalogue } from './event-contracts.js';
import { NO_RETRY, createEventBridgePublisher } from './eventbridge-publisher.js';
import { createImmediateDelivery } from './immediate-delivery.js';
import { createOutbox } from './outbox.js';

/** Delivers committed events right away when a bus is configured; the relay catches up otherwise. */
export function immediateDeliveryFor(config: Config, db: Kysely<Database>, logger: Logger, catalogue: EventCatalogue) {
  const busName = config.events.busName;
  if (busName === undefined || !config.events.deliverAfterCommit) return undefined;
  // One attempt, no SDK retries: whatever misses the budget is the relay's to send.
  const client = new EventBridgeClient({ maxAttempts: 1 });
  return createImmediateDelivery({
    outbox: createOutbox(db),
    publisher: createEventBridgePublisher({ client, busName, source: config.events.source, catalogue, retry: NO_RETRY }),
    logger,
    budgetMs: config.events.publishBudgetMs,
  });
}
