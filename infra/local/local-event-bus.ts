import { randomUUID } from 'node:crypto';
import type { PutEventsCommand, PutEventsCommandOutput, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import type { PutEventsClient } from '../../functions/events/eventbridge-publisher.js';
import type { Logger } from '../../functions/logger.js';

/** Which events a subscriber gets, in EventBridge rule-pattern terms: any listed value matches; an absent key matches all. */
export interface LocalEventPattern {
  readonly source?: readonly string[];
  readonly 'detail-type'?: readonly string[];
}

/** What a consumer Lambda receives from an EventBridge rule. */
export type BusEvent = EventBridgeEvent<string, unknown>;
export type BusEventHandler = (event: BusEvent) => Promise<void> | void;

export interface LocalEventBus {
  /** Stands in for EventBridgeClient: the publisher and any local producer (Identity, Order fakes) send PutEvents here. */
  readonly client: PutEventsClient;
  /** Delivers matching events to `handler`, asynchronously as EventBridge would; returns the unsubscribe. */
  subscribe(pattern: LocalEventPattern, handler: BusEventHandler): () => void;
  /** Resolves once every delivery started so far has finished. */
  idle(): Promise<void>;
}

export interface LocalEventBusOptions {
  readonly logger: Logger;
  readonly account?: string;
  readonly region?: string;
}

function matches(pattern: LocalEventPattern, entry: PutEventsRequestEntry): boolean {
  const source = pattern.source;
  const detailType = pattern['detail-type'];
  return (!source || source.includes(entry.Source ?? '')) && (!detailType || detailType.includes(entry.DetailType ?? ''));
}

function parseDetail(detail: string | undefined): unknown {
  try {
    return detail === undefined ? undefined : (JSON.parse(detail) as unknown);
  } catch {
    return undefined;
  }
}

/**
 * The laptop's EventBridge: PutEvents entries are logged as one JSON line each
 * (`{"message":"event published", source, ...detail}`) and handed to the subscribers whose
 * pattern matches, in-process. Like EventBridge it accepts an entry whatever its consumers do
 * with it: a subscriber's failure is logged, not reported to the sender.
 */
export function createLocalEventBus(options: LocalEventBusOptions): LocalEventBus {
  const account = options.account ?? '000000000000';
  const region = options.region ?? 'eu-central-1';
  const subscriptions = new Set<{ pattern: LocalEventPattern; handler: BusEventHandler }>();
  const inFlight = new Set<Promise<void>>();

  function deliver(entry: PutEventsRequestEntry, id: string): void {
    const event: BusEvent = {
      version: '0',
      id,
      'detail-type': entry.DetailType ?? '',
      source: entry.Source ?? '',
      account,
      time: (entry.Time ?? new Date()).toISOString(),
      region,
      resources: entry.Resources ?? [],
      detail: parseDetail(entry.Detail),
    };
    for (const subscription of subscriptions) {
      if (!matches(subscription.pattern, entry)) continue;
      const delivery = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => subscription.handler(event))
        .catch((error: unknown) => {
          options.logger.error('local event consumer failed', {
            event_id: id,
            detail_type: event['detail-type'],
            source: event.source,
            error: String(error),
          });
        })
        .finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
    }
  }

  const client: PutEventsClient = {
    async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
      const entries = command.input.Entries ?? [];
      const results = entries.map((entry) => {
        const detail = parseDetail(entry.Detail);
        if (!entry.Source || !entry.DetailType || typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
          return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and a JSON object Detail are required' };
        }
        const id = randomUUID();
        options.logger.info('event published', { source: entry.Source, ...detail });
        deliver(entry, id);
        return { EventId: id };
      });
      return {
        $metadata: { httpStatusCode: 200 },
        FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
        Entries: results,
      };
    },
  };

  return {
    client,
    subscribe(pattern, handler) {
      const subscription = { pattern, handler };
      subscriptions.add(subscription);
      return () => subscriptions.delete(subscription);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
