import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { Logger } from '../logger.js';
import type { EventPublisher } from './event-publisher.js';
import type { Outbox } from './outbox.js';
import { wasClaimedOnWrite, type ClaimingHook } from './write-claims.js';

export interface ImmediateDeliveryOptions {
  readonly outbox: Outbox;
  /** A publisher without retries: a miss is the relay's job. */
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  /** The most a request waits for delivery, database steps included. */
  readonly budgetMs: number;
  /** How long the claim keeps the relay off these events (it takes them over after that). */
  readonly leaseMs?: number;
  /** Called with the events this hook did not publish, so the relay delivers them soon (never throws). */
  readonly wakeRelay?: (eventIds: readonly string[]) => Promise<void>;
  readonly clock?: () => Date;
}

const DEFAULT_LEASE_MS = 15_000;

/**
 * The `afterCommit` hook: claims the events a request just committed, publishes them once and
 * marks them published, all within `budgetMs`. It never throws and never waits longer: on any
 * failure or when time runs out it logs, wakes the relay (when it can) and returns, and the relay
 * delivers the events.
 * Claiming first keeps per-stream order (an event whose predecessor is still undelivered is
 * left to the relay) and keeps the relay from sending the same event at the same time. A write
 * wired to this hook usually claimed its event in its own statement already (`claimLeaseMs`), so
 * delivery then costs one database call: the acknowledgement once PutEvents accepted the events.
 */
export function createImmediateDelivery(options: ImmediateDeliveryOptions): ClaimingHook {
  const clock = options.clock ?? (() => new Date());
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;

  /** The events this invocation may send: those the write statement claimed, and those it can claim now. */
  async function claim(events: readonly DomainEvent[]): Promise<DomainEvent[]> {
    const held = events.filter(wasClaimedOnWrite);
    if (held.length === events.length) return held;
    const unclaimed = events.filter((event) => !wasClaimedOnWrite(event)).map((event) => event.eventId);
    return [...held, ...(await options.outbox.claimEvents(unclaimed, leaseMs, clock()))];
  }

  /** Resolves with the ids it published. */
  async function deliver(events: readonly DomainEvent[], deadline: number, signal: AbortSignal): Promise<string[]> {
    const claimed = await claim(events);
    if (claimed.length === 0 || signal.aborted) return [];
    const outcomes = await options.publisher.publish(claimed, { deadline, signal });
    const published = outcomes.filter((outcome) => outcome.status === 'published').map((outcome) => outcome.eventId);
    await options.outbox.markPublished(published, clock());
    const missed = outcomes.filter((outcome) => outcome.status !== 'published');
    if (missed.length > 0) options.logger.warn('events not published right away; left for the relay', { outcomes: missed });
    return published;
  }

  const hook = async (events: readonly DomainEvent[]): Promise<void> => {
    if (events.length === 0) return;
    const eventIds = events.map((event) => event.eventId);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let published: readonly string[] = [];
    try {
      const work = deliver(events, Date.now() + options.budgetMs, controller.signal).then(
        (ids) => {
          published = ids;
          return 'done' as const;
        },
        (error: unknown) => {
          options.logger.warn('immediate event delivery failed; events left for the relay', { event_ids: eventIds, error: String(error) });
          return 'failed' as const;
        },
      );
      const outOfTime = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), options.budgetMs);
      });
      if ((await Promise.race([work, outOfTime])) === 'timeout') {
        controller.abort();
        options.logger.warn('immediate event delivery ran out of time; events left for the relay', {
          event_ids: eventIds,
          budget_ms: options.budgetMs,
        });
      }
    } catch {
      // Only a broken logger gets here; the hook must never fail the request that committed.
    } finally {
      clearTimeout(timer);
    }
    const missed = eventIds.filter((id) => !published.includes(id));
    if (missed.length > 0) await options.wakeRelay?.(missed).catch(() => undefined);
  };
  // Writes wired to this hook claim their events in their own statement (see write-claims.ts).
  return Object.assign(hook, { claimLeaseMs: leaseMs });
}
