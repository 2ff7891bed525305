import type { DomainEvent } from '../../domain/shared/domain-event.js';

/** What happened to one event in a publish call. */
export type PublishOutcome =
  | { readonly eventId: string; readonly status: 'published' }
  | {
      readonly eventId: string;
      readonly status: 'failed';
      readonly errorCode: string;
      readonly message: string;
      /** Worth trying again later (throttling, an EventBridge internal error, a timeout). */
      readonly retryable: boolean;
    }
  /** Not attempted: an earlier event of the same stream failed, or time ran out first. */
  | { readonly eventId: string; readonly status: 'skipped'; readonly reason: string };

export interface PublishOptions {
  /** Epoch milliseconds after which nothing more is sent (in-flight calls are aborted). */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
}

/**
 * Sends committed events to the bus, in the given order per stream: an event is sent only
 * after every earlier event of its stream in the same call was accepted.
 * Resolves with one outcome per event (in input order); never rejects.
 */
export interface EventPublisher {
  publish(events: readonly DomainEvent[], options?: PublishOptions): Promise<PublishOutcome[]>;
}

/** The event can never be published as it is: it is parked at once rather than retried. */
export const CONTRACT_VIOLATION = 'ContractViolation';
export const ENTRY_TOO_LARGE = 'EntryTooLarge';
export const PARK_AT_ONCE: ReadonlySet<string> = new Set([CONTRACT_VIOLATION, ENTRY_TOO_LARGE]);
