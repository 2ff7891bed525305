import type { Logger } from '../logger.js';
import { PARK_AT_ONCE, type EventPublisher, type PublishOutcome } from './event-publisher.js';
import type { DeliveryFailure, Outbox } from './outbox.js';

export interface RelaySettings {
  /** Events claimed per round. */
  readonly batchSize: number;
  /** How long a claim keeps other relays off; a round stops sending after half of it. */
  readonly leaseMs: number;
  /** Attempts after which an event that keeps failing non-retryably is parked. */
  readonly maxAttempts: number;
}

export interface RelayOptions extends RelaySettings {
  readonly outbox: Outbox;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  /** Stop claiming new rounds after this long. */
  readonly budgetMs: number;
  readonly clock?: () => Date;
}

export interface RelayResult {
  readonly rounds: number;
  readonly claimed: number;
  readonly published: number;
  readonly failed: number;
  readonly parked: number;
  readonly released: number;
  /** Why the run ended: nothing left to claim, time used up, or failures left for the next run. */
  readonly stoppedBy: 'empty' | 'budget' | 'failures';
}

function failureOf(outcome: Extract<PublishOutcome, { status: 'failed' }>): DeliveryFailure {
  const kind = PARK_AT_ONCE.has(outcome.errorCode) ? 'poison' : outcome.retryable ? 'transient' : 'permanent';
  return { eventId: outcome.eventId, error: `${outcome.errorCode}: ${outcome.message}`, kind };
}

/**
 * One sweep of the outbox: claim → publish → record, round after round, until nothing is left,
 * the time budget is spent, or a round had failures worth retrying (those wait for the next
 * scheduled run, which is the backoff between runs). Never sends an event twice at once: rows
 * are leased, and a round stops sending well before its lease ends.
 */
export async function relayOnce(options: RelayOptions): Promise<RelayResult> {
  const clock = options.clock ?? (() => new Date());
  const started = Date.now();
  const totals = { rounds: 0, claimed: 0, published: 0, failed: 0, parked: 0, released: 0 };
  for (;;) {
    if (Date.now() - started >= options.budgetMs) return { ...totals, stoppedBy: 'budget' };
    const claimedAt = Date.now();
    const batch = await options.outbox.claimBatch(options.batchSize, options.leaseMs, clock());
    if (batch.length === 0) return { ...totals, stoppedBy: 'empty' };
    totals.rounds += 1;
    totals.claimed += batch.length;

    const deadline = Math.min(started + options.budgetMs, claimedAt + options.leaseMs / 2);
    const outcomes = await options.publisher.publish(batch, { deadline });
    const published = outcomes.filter((o) => o.status === 'published').map((o) => o.eventId);
    const failures = outcomes.flatMap((o) => (o.status === 'failed' ? [failureOf(o)] : []));
    const skipped = outcomes.filter((o) => o.status === 'skipped').map((o) => o.eventId);

    await options.outbox.markPublished(published, clock());
    const parked = await options.outbox.recordFailures(failures, options.maxAttempts, clock());
    await options.outbox.release(skipped);
    totals.published += published.length;
    totals.failed += failures.length;
    totals.parked += parked.length;
    totals.released += skipped.length;

    for (const failure of failures) {
      const wasParked = parked.includes(failure.eventId);
      options.logger[wasParked ? 'error' : 'warn'](wasParked ? 'event parked' : 'event not published', {
        event_id: failure.eventId,
        error: failure.error,
        kind: failure.kind,
      });
    }
    if (failures.some((failure) => !parked.includes(failure.eventId))) return { ...totals, stoppedBy: 'failures' };
  }
}
