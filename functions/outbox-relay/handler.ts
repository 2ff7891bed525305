import { EVENT_CATALOGUE } from '../event-catalogue.js';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../config.js';
import { openDataApiDatabase } from '../db/data-api-database.js';
import { RELAY_RETRY, createEventBridgePublisher } from '../events/eventbridge-publisher.js';
import { createOutbox, type Outbox } from '../events/outbox.js';
import { relayOnce, type RelayResult } from '../events/outbox-relay.js';
import { isRelayWakeUp } from '../events/relay-wake-up.js';
import { METRICS } from '../metric-names.js';
import { MetricUnit, observability, observed, traced } from '../observability.js';

const config = loadConfig();
const busName = config.events.busName;
if (busName === undefined) throw new Error('Invalid configuration: EVENT_BUS_NAME is required by the outbox relay');
const { logger, metrics } = observability();

// Time kept back from the Lambda timeout for recording the last round and the metrics.
const SAFETY_MARGIN_MS = 5_000;
/** A woken run waits for a claim the write path still holds, if it lapses this soon. */
const MAX_CLAIM_WAIT_MS = 20_000;

// Opened once per container, on the first run.
let opened: Promise<Outbox> | undefined;
const openOutbox = () => (opened ??= Promise.resolve(openDataApiDatabase(config)).then((handle) => createOutbox(handle.db)));
// The publisher retries per entry itself; SDK retries on top would only stretch the lease.
const publisher = createEventBridgePublisher({
  client: traced(new EventBridgeClient({ maxAttempts: 1 })),
  busName,
  source: config.events.source,
  catalogue: EVENT_CATALOGUE,
  retry: RELAY_RETRY,
});

/**
 * Runs on the slow schedule (the safety net) and whenever the write path wakes it for events it
 * could not deliver (an asynchronous invoke). A woken run whose events are still claimed by the
 * write path (it timed out mid-publish) waits for that claim to lapse, then sweeps again.
 * Reports parked events and the age of the oldest undelivered event as metrics.
 */
async function relay(event: unknown, context: Context): Promise<RelayResult> {
  const outbox = await openOutbox();
  const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  const sweep = () => relayOnce({ outbox, publisher, logger, ...config.events.relay, budgetMs: Math.max(1_000, deadline - Date.now()) });
  let result = await sweep();
  let state = await outbox.pendingState(new Date());
  if (isRelayWakeUp(event) && result.stoppedBy === 'empty' && state.nextClaimLapse !== null) {
    const wait = Date.parse(state.nextClaimLapse) - Date.now() + 100;
    if (wait <= MAX_CLAIM_WAIT_MS && Date.now() + wait + 5_000 < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
      const second = await sweep();
      result = { ...second, rounds: result.rounds + second.rounds };
      state = await outbox.pendingState(new Date());
    }
  }
  const oldestAgeSeconds = state.oldestPendingAt === null ? 0 : Math.max(0, (Date.now() - Date.parse(state.oldestPendingAt)) / 1000);
  metrics.addMetric(METRICS.parked, MetricUnit.Count, state.parked);
  metrics.addMetric(METRICS.published, MetricUnit.Count, result.published);
  metrics.addMetric(METRICS.failed, MetricUnit.Count, result.failed);
  metrics.addMetric(METRICS.oldestUndeliveredAge, MetricUnit.Seconds, Math.round(oldestAgeSeconds));
  logger.info('outbox relay run', {
    ...result,
    trigger: isRelayWakeUp(event) ? 'wake-up' : 'schedule',
    parked_total: state.parked,
    oldest_undelivered_age_s: Math.round(oldestAgeSeconds),
  });
  return result;
}

export const handler = observed(relay);
