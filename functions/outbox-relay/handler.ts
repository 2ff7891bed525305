import { EVENT_CATALOGUE } from '../event-catalogue.js';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../config.js';
import { openDataApiDatabase } from '../db/data-api-database.js';
import { RELAY_RETRY, createEventBridgePublisher } from '../events/eventbridge-publisher.js';
import { createOutbox, type Outbox } from '../events/outbox.js';
import { relayOnce, type RelayResult } from '../events/outbox-relay.js';
import { relayMetricsLine } from '../events/relay-metrics.js';
import { createLogger, parseLogLevel } from '../logger.js';

const config = loadConfig();
const busName = config.events.busName;
if (busName === undefined) throw new Error('Invalid configuration: EVENT_BUS_NAME is required by the outbox relay');
const logger = createLogger(parseLogLevel(process.env.LOG_LEVEL));

// Time kept back from the Lambda timeout for recording the last round and the metrics.
const SAFETY_MARGIN_MS = 5_000;

// Opened once per container, on the first run.
let opened: Promise<Outbox> | undefined;
const openOutbox = () => (opened ??= Promise.resolve(openDataApiDatabase(config)).then((handle) => createOutbox(handle.db)));
// The publisher retries per entry itself; SDK retries on top would only stretch the lease.
const publisher = createEventBridgePublisher({
  client: new EventBridgeClient({ maxAttempts: 1 }),
  busName,
  source: config.events.source,
  catalogue: EVENT_CATALOGUE,
  retry: RELAY_RETRY,
});

/** Scheduled (EventBridge rule): sweeps the outbox and reports ParkedEvents as a metric. */
export async function handler(_event: unknown, context: Context): Promise<RelayResult> {
  const outbox = await openOutbox();
  const result = await relayOnce({
    outbox,
    publisher,
    logger,
    ...config.events.relay,
    budgetMs: Math.max(1_000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS),
  });
  const parked = await outbox.countParked();
  process.stdout.write(`${relayMetricsLine(config.serviceName, { parked, published: result.published, failed: result.failed })}\n`);
  logger.info('outbox relay run', { ...result, parked_total: parked });
  return result;
}
