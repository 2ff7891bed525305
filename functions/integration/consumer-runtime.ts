import { EVENT_CATALOGUE } from '../event-catalogue.js';
import type { EventBridgeEvent } from 'aws-lambda';
import { loadConfig } from '../config.js';
import { openDataApiDatabase } from '../db/data-api-database.js';
import { immediateDeliveryFor } from '../events/delivery-runtime.js';
import { METRICS } from '../metric-names.js';
import { MetricUnit, observability, observed } from '../observability.js';
import { createEventConsumer, type ConsumeOutcome, type EventConsumer } from './event-consumer.js';

/**
 * The handler of a consumer Lambda that an EventBridge rule targets. Dead-lettered events are
 * answered normally (they are parked, retrying cannot help) and counted in a metric; any other
 * failure is thrown so that Lambda retries the event and finally sends it to the function's DLQ.
 */
export function consumerHandlerFor(name: 'identity-events' | 'order-events') {
  const config = loadConfig();
  const { logger, metrics } = observability();
  let consumer: Promise<EventConsumer> | undefined;
  const getConsumer = () =>
    (consumer ??= Promise.resolve(openDataApiDatabase(config)).then((handle) =>
      createEventConsumer(handle.db, { afterCommit: immediateDeliveryFor(config, handle.db, logger, EVENT_CATALOGUE) }),
    ));

  const handler = async (event: EventBridgeEvent<string, unknown>): Promise<ConsumeOutcome> => {
    const outcome = await (await getConsumer())(event);
    if (outcome.outcome === 'dead_lettered') {
      // The DeadLetters alarm watches this count: one EMF line of its own, with the consumer as dimension.
      const single = metrics.singleMetric();
      single.addDimension(METRICS.dimensions.consumer, name);
      single.addMetric(METRICS.deadLetters, MetricUnit.Count, 1);
      logger.warn('event dead-lettered', { consumer: name, ...outcome });
    } else {
      logger.info('event consumed', { consumer: name, ...outcome });
    }
    return outcome;
  };
  // The id of the event being applied correlates every line of the invocation.
  return observed(handler, { correlationId: (event) => (typeof event?.id === 'string' ? event.id : undefined) });
}
