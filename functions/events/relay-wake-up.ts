import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Logger } from '../logger.js';

/** The `source` of the payload the relay is woken with (a scheduled sweep comes from `aws.events`). */
export const RELAY_WAKE_UP_SOURCE = 'customer-mgmt.relay-wake-up';

export interface RelayWakeUp {
  readonly source: typeof RELAY_WAKE_UP_SOURCE;
  readonly event_ids: readonly string[];
}

export function isRelayWakeUp(event: unknown): event is RelayWakeUp {
  return typeof event === 'object' && event !== null && (event as { source?: unknown }).source === RELAY_WAKE_UP_SOURCE;
}

/**
 * Wakes the outbox relay for events the write path could not deliver itself: an asynchronous
 * Lambda invocation (Lambda queues it, returns 202 at once, and retries it). Never throws: if the
 * wake-up is lost, the relay's slow scheduled sweep still delivers the events.
 */
export function createRelayWakeUp(options: { client: LambdaClient; functionName: string; logger: Logger }) {
  return async (eventIds: readonly string[]): Promise<void> => {
    const payload: RelayWakeUp = { source: RELAY_WAKE_UP_SOURCE, event_ids: eventIds };
    try {
      await options.client.send(
        new InvokeCommand({
          FunctionName: options.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
      );
    } catch (error) {
      options.logger.warn('could not wake the outbox relay; the next scheduled sweep delivers the events', {
        event_ids: eventIds,
        error: String(error),
      });
    }
  };
}
