import { EVENT_CATALOGUE } from '../event-catalogue.js';
import type { EventBridgeEvent } from 'aws-lambda';
import { loadConfig } from '../config.js';
import { openDataApiDatabase } from '../db/data-api-database.js';
import { immediateDeliveryFor } from '../events/delivery-runtime.js';
import { createLogger, parseLogLevel } from '../logger.js';
import { createEventConsumer, type ConsumeOutcome, type EventConsumer } from './event-consumer.js';

/**
 * The handler of a consumer Lambda that an EventBridge rule targets. Dead-lettered events are
 * answered normally (they are parked, retrying cannot help) and counted in a metric; any other
 * failure is thrown so that Lambda retries the event and finally sends it to the function's DLQ.
 */
export function consumerHandlerFor(name: 'identity-events' | 'order-events') {
  const config = loadConfig();
  const logger = createLogger(parseLogLevel(process.env.LOG_LEVEL));
  let consumer: Promise<EventConsumer> | undefined;
  const getConsumer = () =>
    (consumer ??= Promise.resolve(openDataApiDatabase(config)).then((handle) =>
      createEventConsumer(handle.db, { afterCommit: immediateDeliveryFor(config, handle.db, logger, EVENT_CATALOGUE) }),
    ));

  return async (event: EventBridgeEvent<string, unknown>): Promise<ConsumeOutcome> => {
    const outcome = await (await getConsumer())(event);
    if (outcome.outcome === 'dead_lettered') {
      // CloudWatch embedded metric format: the DeadLetters alarm watches this count.
      logger.warn('event dead-lettered', {
        consumer: name,
        ...outcome,
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            { Namespace: 'CustomerMgmt', Dimensions: [['Service', 'Consumer']], Metrics: [{ Name: 'DeadLetters', Unit: 'Count' }] },
          ],
        },
        Service: config.serviceName,
        Consumer: name,
        DeadLetters: 1,
      });
    } else {
      logger.info('event consumed', { consumer: name, ...outcome });
    }
    return outcome;
  };
}
