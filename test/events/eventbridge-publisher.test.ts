import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, entrySize } from '../../functions/events/eventbridge-publisher.js';
import { accepted, BUS, callError, failedWith, mockedEventBridge, putEventsResponse, SOURCE, tierChanged } from './event-test-kit.js';

const customers = (count: number) => Array.from({ length: count }, () => randomUUID());

describe('EventBridge publisher', () => {
  it('sends the exact entry: bus, source, event type as DetailType, the envelope as Detail, occurred_at as Time', async () => {
    const { publisher, calls } = mockedEventBridge();
    const event = tierChanged('01a21628-e223-7bd2-9a3f-6e1b6da6229b', 4, { eventId: '01a21628-e25a-77ba-be05-2f184723927d' });

    const outcomes = await publisher.publish([event]);

    expect(outcomes).toEqual([{ eventId: event.eventId, status: 'published' }]);
    expect(calls()).toEqual([
      [
        {
          EventBusName: BUS,
          Source: SOURCE,
          DetailType: 'CustomerTierChanged',
          Time: new Date('2026-11-26T10:00:00.000Z'),
          Detail: JSON.stringify({
            event_id: '01a21628-e25a-77ba-be05-2f184723927d',
            event_type: 'CustomerTierChanged',
            event_version: 1,
            occurred_at: '2026-11-26T10:00:00.000Z',
            customer_id: '01a21628-e223-7bd2-9a3f-6e1b6da6229b',
            customer_version: 4,
            actor: '019b6ec4-0000-7000-8000-00000000ad31',
            data: { changes: { tier: { from: 'free', to: 'pro' } } },
          }),
        },
      ],
    ]);
  });

  it('batches 25 events into calls of 10, 10 and 5, in order', async () => {
    const { publisher, calls, sentIds } = mockedEventBridge();
    const events = customers(25).map((customerId) => tierChanged(customerId, 2));

    const outcomes = await publisher.publish(events);

    expect(calls().map((entries) => entries.length)).toEqual([10, 10, 5]);
    expect(sentIds()).toEqual(events.map((event) => event.eventId));
    expect(outcomes.every((outcome) => outcome.status === 'published')).toBe(true);
  });

  it('keeps a request under 256 KB', async () => {
    const { publisher, calls } = mockedEventBridge();
    const bigName = 'x'.repeat(60_000);
    const events = customers(6).map((customerId) =>
      tierChanged(customerId, 2, { type: 'CustomerUpdated', data: { changes: { name: { from: 'Ada', to: bigName } } } }),
    );

    await publisher.publish(events);

    const sizes = calls().map((entries) => entries.reduce((sum, entry) => sum + entrySize(entry), 0));
    expect(calls().map((entries) => entries.length)).toEqual([4, 2]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });

  it('retries only the entries that failed retryably (FailedEntryCount + per-entry ErrorCode), with backoff', async () => {
    const { publisher, mock, calls, delays } = mockedEventBridge();
    const events = customers(10).map((customerId) => tierChanged(customerId, 2));
    mock
      .on(PutEventsCommand)
      .resolvesOnce(
        putEventsResponse(
          events.map((_, i) => (i === 2 ? failedWith('InternalFailure') : i === 7 ? failedWith('ThrottlingException') : accepted())),
        ),
      )
      .resolvesOnce(putEventsResponse([accepted(), accepted()]));

    const outcomes = await publisher.publish(events);

    expect(calls().map((entries) => entries.length)).toEqual([10, 2]);
    expect(calls()[1]!.map((entry) => JSON.parse(entry.Detail!).event_id)).toEqual([events[2]!.eventId, events[7]!.eventId]);
    expect(outcomes.every((outcome) => outcome.status === 'published')).toBe(true);
    expect(delays).toEqual([100]);
  });

  it('retries a throttled call (whole-call ThrottlingException), then succeeds', async () => {
    const { publisher, mock, calls, delays } = mockedEventBridge();
    const events = customers(3).map((customerId) => tierChanged(customerId, 2));
    mock
      .on(PutEventsCommand)
      .rejectsOnce(callError('ThrottlingException', 400, 'Rate exceeded'))
      .rejectsOnce(callError('ThrottlingException', 400, 'Rate exceeded'))
      .resolvesOnce(putEventsResponse(events.map(accepted)));

    const outcomes = await publisher.publish(events);

    expect(calls()).toHaveLength(3);
    expect(calls()[2]).toEqual(calls()[0]);
    expect(delays).toEqual([100, 200]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['published', 'published', 'published']);
  });

  it('gives up after the retry bound with a retryable failure, backing off exponentially up to the cap', async () => {
    const { publisher, mock, calls, delays } = mockedEventBridge({ retry: { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 500 } });
    const event = tierChanged(randomUUID(), 2);
    mock.on(PutEventsCommand).resolves(putEventsResponse([failedWith('ThrottlingException', 'Rate exceeded')]));

    const [outcome] = await publisher.publish([event]);

    expect(calls()).toHaveLength(6);
    expect(delays).toEqual([100, 200, 400, 500, 500]);
    expect(outcome).toEqual({
      eventId: event.eventId,
      status: 'failed',
      errorCode: 'ThrottlingException',
      message: 'Rate exceeded',
      retryable: true,
    });
  });

  it('does not retry a non-retryable entry error', async () => {
    const { publisher, mock, calls } = mockedEventBridge();
    const events = customers(2).map((customerId) => tierChanged(customerId, 2));
    mock.on(PutEventsCommand).resolvesOnce(putEventsResponse([failedWith('MalformedDetail', 'Detail is malformed.'), accepted()]));

    const outcomes = await publisher.publish(events);

    expect(calls()).toHaveLength(1);
    expect(outcomes).toEqual([
      { eventId: events[0]!.eventId, status: 'failed', errorCode: 'MalformedDetail', message: 'Detail is malformed.', retryable: false },
      { eventId: events[1]!.eventId, status: 'published' },
    ]);
  });

  it('does not retry a call refused as a whole (AccessDeniedException)', async () => {
    const { publisher, mock, calls } = mockedEventBridge();
    const events = customers(2).map((customerId) => tierChanged(customerId, 2));
    mock.on(PutEventsCommand).rejects(callError('AccessDeniedException', 400, 'not authorized'));

    const outcomes = await publisher.publish(events);

    expect(calls()).toHaveLength(1);
    expect(outcomes.map((o) => o.status === 'failed' && [o.errorCode, o.retryable])).toEqual([
      ['AccessDeniedException', false],
      ['AccessDeniedException', false],
    ]);
  });

  it('never sends an event that breaks its contract, and reports it as a non-retryable ContractViolation', async () => {
    const { publisher, sentIds } = mockedEventBridge();
    const broken = tierChanged(randomUUID(), 2, { data: { changes: { tier: { from: 'free', to: 'platinum' } } } });
    const fine = tierChanged(randomUUID(), 2);

    const outcomes = await publisher.publish([broken, fine]);

    expect(sentIds()).toEqual([fine.eventId]);
    expect(outcomes[0]).toMatchObject({ status: 'failed', errorCode: 'ContractViolation', retryable: false });
    expect((outcomes[0] as { message: string }).message).toContain('data.changes.tier.to');
  });

  it('sends one customer’s events in order, one call after the other, and stops at the first failure', async () => {
    const { publisher, mock, calls } = mockedEventBridge();
    const [a, b] = customers(2);
    const a2 = tierChanged(a!, 2);
    const a3 = tierChanged(a!, 3);
    const a4 = tierChanged(a!, 4);
    const b2 = tierChanged(b!, 2);
    const b3 = tierChanged(b!, 3);
    mock
      .on(PutEventsCommand)
      .resolvesOnce(putEventsResponse([accepted(), accepted()]))
      .resolvesOnce(putEventsResponse([failedWith('MalformedDetail'), accepted()]));

    const outcomes = await publisher.publish([a2, b2, a3, a4, b3]);

    const sent = calls().map((entries) => entries.map((entry) => JSON.parse(entry.Detail!).event_id));
    expect(sent).toEqual([
      [a2.eventId, b2.eventId],
      [a3.eventId, b3.eventId],
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['published', 'published', 'failed', 'skipped', 'published']);
  });

  it('stops at the deadline: a hanging call is abandoned and what was not sent is skipped', async () => {
    const { publisher, mock } = mockedEventBridge();
    mock.on(PutEventsCommand).callsFake(() => new Promise(() => undefined));
    const customer = randomUUID();
    const events = [tierChanged(customer, 2), tierChanged(customer, 3)];

    const outcomes = await publisher.publish(events, { deadline: Date.now() + 50 });

    expect(outcomes).toEqual([
      {
        eventId: events[0]!.eventId,
        status: 'failed',
        errorCode: 'AbortError',
        message: 'the call did not finish in time',
        retryable: true,
      },
      { eventId: events[1]!.eventId, status: 'skipped', reason: 'an earlier event of this stream was not published' },
    ]);
  });

  it('passes an abort signal to the SDK call, so a slow request is cancelled at the deadline', async () => {
    const { publisher, mock } = mockedEventBridge();

    await publisher.publish([tierChanged(randomUUID(), 2)], { deadline: Date.now() + 5_000 });

    const options = (mock.send.getCall(0).args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
    expect(options?.abortSignal).toBeInstanceOf(AbortSignal);
  });
});
