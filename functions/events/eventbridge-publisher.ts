import { PutEventsCommand, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import { checkedDetail } from './event-envelope.js';
import type { EventCatalogue } from './event-contracts.js';
import { CONTRACT_VIOLATION, ENTRY_TOO_LARGE, type EventPublisher, type PublishOptions, type PublishOutcome } from './event-publisher.js';

/** The part of EventBridgeClient the publisher uses (the local event bus implements it too). */
export interface PutEventsClient {
  send(command: PutEventsCommand, options?: { abortSignal?: AbortSignal }): Promise<PutEventsCommandOutput>;
}

export interface RetryPolicy {
  /** Further attempts after the first for an entry that failed retryably; 0 sends once. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const RELAY_RETRY: RetryPolicy = { maxRetries: 4, baseDelayMs: 100, maxDelayMs: 2_000 };
export const NO_RETRY: RetryPolicy = { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 };

export interface EventBridgePublisherOptions {
  readonly client: PutEventsClient;
  readonly busName: string;
  readonly source: string;
  /** Every event is checked against its contract before it is sent. */
  readonly catalogue: EventCatalogue;
  readonly retry?: RetryPolicy;
  /** Injected in tests: waiting and jitter. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** PutEvents limits: 10 entries and 256 KB per request. */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

/** Per-entry and whole-call error codes that EventBridge documents as worth retrying. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set(['InternalFailure', 'ThrottlingException']);
const RETRYABLE_CALL_ERRORS = new Set([
  ...RETRYABLE_ERROR_CODES,
  'InternalException',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'AbortError',
]);

/** How EventBridge sizes an entry against the request limit. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text ? Buffer.byteLength(text, 'utf8') : 0);
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

/** The PutEvents entry of an event: Source, DetailType = event type, Detail = the checked envelope, Time = occurred_at. */
export function toPutEventsEntry(
  event: DomainEvent,
  busName: string,
  source: string,
  catalogue: EventCatalogue,
): { ok: true; entry: PutEventsRequestEntry } | { ok: false; problem: string } {
  const checked = checkedDetail(event, catalogue);
  if (!checked.ok) return checked;
  return {
    ok: true,
    entry: {
      EventBusName: busName,
      Source: source,
      DetailType: event.type,
      Detail: JSON.stringify(checked.detail),
      Time: new Date(event.occurredAt),
    },
  };
}

interface Pending {
  readonly event: DomainEvent;
  readonly entry: PutEventsRequestEntry;
  readonly size: number;
  attempts: number;
  lastError?: { readonly code: string; readonly message: string };
}

type EntryResult =
  { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string; readonly retryable: boolean };

class OutOfTime extends Error {
  override readonly name = 'AbortError';
}

/** Rejects when the signal aborts, so a call that ignores its signal cannot hold us past the deadline. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new OutOfTime('out of time before the call'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new OutOfTime('the call did not finish in time'));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

function callErrorResult(error: unknown): EntryResult {
  const failure = error as { name?: string; message?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const code = failure?.name ?? 'Error';
  const status = failure?.$metadata?.httpStatusCode;
  // No HTTP status: the request never got an answer (network, timeout), so it may well work later.
  const retryable = RETRYABLE_CALL_ERRORS.has(code) || failure?.$retryable !== undefined || status === undefined || status >= 500;
  return { ok: false, code, message: failure?.message ?? String(error), retryable };
}

/** Splits entries into PutEvents calls of at most 10 entries and 256 KB. */
function calls(pending: readonly Pending[]): Pending[][] {
  const result: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const item of pending) {
    if (current.length === MAX_ENTRIES_PER_CALL || (current.length > 0 && bytes + item.size > MAX_REQUEST_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * Publishes to EventBridge: validates each Detail against the catalogue, batches by 10 entries
 * and 256 KB, handles partial failures entry by entry (retrying InternalFailure and
 * ThrottlingException, and whole-call throttling, with exponential backoff and full jitter up to
 * `retry.maxRetries`), and keeps each stream's events in order: the next event of a stream
 * goes out only after the previous one was accepted, and not at all once one failed.
 */
/** The stream an event belongs to: its aggregate type and id. */
const streamOf = (event: DomainEvent) => `${event.aggregateType}/${event.aggregateId}`;

export function createEventBridgePublisher(options: EventBridgePublisherOptions): EventPublisher {
  const retry = options.retry ?? RELAY_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function send(batch: readonly Pending[], signal: AbortSignal): Promise<EntryResult[]> {
    let response: PutEventsCommandOutput;
    try {
      const command = new PutEventsCommand({ Entries: batch.map((item) => item.entry) });
      response = await abortable(options.client.send(command, { abortSignal: signal }), signal);
    } catch (error) {
      return batch.map(() => callErrorResult(error));
    }
    const entries = response.Entries ?? [];
    if (entries.length !== batch.length) {
      return batch.map(() => ({
        ok: false,
        code: 'MalformedResponse',
        message: `PutEvents answered ${entries.length} entries for ${batch.length}`,
        retryable: true,
      }));
    }
    return entries.map((entry): EntryResult => {
      if (!entry.ErrorCode && entry.EventId) return { ok: true };
      const code = entry.ErrorCode ?? 'UnknownError';
      return { ok: false, code, message: entry.ErrorMessage ?? code, retryable: RETRYABLE_ERROR_CODES.has(code) };
    });
  }

  async function publish(events: readonly DomainEvent[], publishOptions: PublishOptions = {}): Promise<PublishOutcome[]> {
    const outcomes = new Map<string, PublishOutcome>();
    const failedStreams = new Set<string>();
    const settle = (event: DomainEvent, outcome: PublishOutcome) => {
      outcomes.set(event.eventId, outcome);
      if (outcome.status !== 'published') failedStreams.add(streamOf(event));
    };
    const queue: Pending[] = [];
    for (const event of events) {
      const built = toPutEventsEntry(event, options.busName, options.source, options.catalogue);
      if (!built.ok) {
        settle(event, {
          eventId: event.eventId,
          status: 'failed',
          errorCode: CONTRACT_VIOLATION,
          message: built.problem,
          retryable: false,
        });
        continue;
      }
      const size = entrySize(built.entry);
      if (size > MAX_REQUEST_BYTES) {
        settle(event, {
          eventId: event.eventId,
          status: 'failed',
          errorCode: ENTRY_TOO_LARGE,
          message: `the entry is ${size} bytes; EventBridge accepts ${MAX_REQUEST_BYTES}`,
          retryable: false,
        });
        continue;
      }
      queue.push({ event, entry: built.entry, size, attempts: 0 });
    }

    const deadline = publishOptions.deadline ?? Number.POSITIVE_INFINITY;
    const timeLeft = () => deadline - Date.now();
    const giveUp = (item: Pending, reason: string) =>
      settle(
        item.event,
        item.lastError
          ? {
              eventId: item.event.eventId,
              status: 'failed',
              errorCode: item.lastError.code,
              message: item.lastError.message,
              retryable: true,
            }
          : { eventId: item.event.eventId, status: 'skipped', reason },
      );

    /** The oldest open event of each stream, once the events behind a failure are skipped. */
    const nextWave = (): Pending[] => {
      const heads = new Map<string, Pending>();
      for (const item of queue) {
        if (outcomes.has(item.event.eventId)) continue;
        if (failedStreams.has(streamOf(item.event))) {
          settle(item.event, {
            eventId: item.event.eventId,
            status: 'skipped',
            reason: 'an earlier event of this stream was not published',
          });
        } else if (!heads.has(streamOf(item.event))) heads.set(streamOf(item.event), item);
      }
      return [...heads.values()];
    };

    let backoffRound = 0;
    for (;;) {
      const heads = nextWave();
      if (heads.length === 0) break;

      if (heads.some((item) => item.attempts > 0)) {
        backoffRound += 1;
        const delay = Math.round(random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (backoffRound - 1)));
        if (delay >= timeLeft()) {
          for (const item of heads) giveUp(item, 'out of time');
          continue;
        }
        await sleep(delay);
      }
      if (timeLeft() <= 0 || publishOptions.signal?.aborted) {
        for (const item of heads) giveUp(item, 'out of time');
        continue;
      }

      for (const batch of calls(heads)) {
        const remaining = timeLeft();
        if (remaining <= 0 || publishOptions.signal?.aborted) break;
        const signals = [publishOptions.signal, Number.isFinite(remaining) ? AbortSignal.timeout(remaining) : undefined].filter(
          (s): s is AbortSignal => s !== undefined,
        );
        const results = await send(batch, signals.length > 0 ? AbortSignal.any(signals) : new AbortController().signal);
        batch.forEach((item, index) => {
          const result = results[index]!;
          item.attempts += 1;
          if (result.ok) settle(item.event, { eventId: item.event.eventId, status: 'published' });
          else if (!result.retryable)
            settle(item.event, {
              eventId: item.event.eventId,
              status: 'failed',
              errorCode: result.code,
              message: result.message,
              retryable: false,
            });
          else {
            item.lastError = { code: result.code, message: result.message };
            if (item.attempts > retry.maxRetries) giveUp(item, 'retries exhausted');
          }
        });
      }
    }
    return events.map((event) => outcomes.get(event.eventId)!);
  }

  return { publish };
}
