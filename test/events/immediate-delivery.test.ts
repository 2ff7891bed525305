import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as commands from '../../domain/customer/customer-commands.js';
import { NO_RETRY } from '../../functions/events/eventbridge-publisher.js';
import { createImmediateDelivery } from '../../functions/events/immediate-delivery.js';
import { createOutbox, type Outbox } from '../../functions/events/outbox.js';
import { relayOnce } from '../../functions/events/outbox-relay.js';
import { createServices } from '../../functions/services.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import {
  accepted,
  callError,
  deliveryStates,
  emptyEventLog,
  mockedEventBridge,
  putEventsResponse,
  recordingLogger,
  ACTOR,
} from './event-test-kit.js';

const BUDGET_MS = 150;

describe.each(availableDialects())('immediate delivery after commit on %s', (dialect) => {
  let database: TestDatabase;
  let outbox: Outbox;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    outbox = createOutbox(database.db);
  });
  afterAll(() => database.close());
  beforeEach(() => emptyEventLog(database.db));

  function servicesWith(eventBridge: ReturnType<typeof mockedEventBridge>, leaseMs = 15_000) {
    const { logger, lines } = recordingLogger();
    const wakeUps: string[][] = [];
    const wakeRelay = async (eventIds: readonly string[]) => void wakeUps.push([...eventIds]);
    const afterCommit = createImmediateDelivery({
      outbox,
      publisher: eventBridge.publisher,
      logger,
      budgetMs: BUDGET_MS,
      leaseMs,
      wakeRelay,
    });
    return { services: createServices(database.db, { afterCommit }), lines, wakeUps };
  }

  it('publishes the committed event before the request returns and marks it published; the relay is not woken', async () => {
    const eventBridge = mockedEventBridge({ retry: NO_RETRY });
    const { services, wakeUps } = servicesWith(eventBridge);

    const created = await services.customers.create({ name: 'Now', email: 'now@example.com' }, ACTOR);

    if (!created.ok) throw new Error(created.error.message);
    expect(eventBridge.calls()).toEqual([
      [
        expect.objectContaining({
          EventBusName: 'customer-mgmt-test',
          Source: 'customer-mgmt',
          DetailType: 'CustomerCreated',
          Time: new Date(created.value.event.occurredAt),
        }),
      ],
    ]);
    expect(eventBridge.sentDetails()[0]).toMatchObject({
      event_id: created.value.event.eventId,
      customer_version: 1,
      data: { customer: { email: 'now@example.com' } },
    });
    const [state] = await deliveryStates(database.db);
    expect(state).toMatchObject({ event_id: created.value.event.eventId, publish_attempts: 0, claimed_until: null });
    expect(state!.published_at).not.toBeNull();
    expect(wakeUps).toEqual([]);
  });

  it('never throws and returns within its budget while EventBridge hangs; the relay sends the event once the claim lapses', async () => {
    const hanging = mockedEventBridge({ retry: NO_RETRY });
    hanging.mock.on(PutEventsCommand).callsFake(() => new Promise(() => undefined));
    const { services, lines, wakeUps } = servicesWith(hanging);

    const started = Date.now();
    const created = await services.customers.create({ name: 'Slow', email: 'slow@example.com' }, ACTOR);
    const elapsed = Date.now() - started;

    expect(created.ok).toBe(true);
    expect(elapsed).toBeLessThan(BUDGET_MS + 2_000);
    expect(lines.some((line) => line.level === 'WARN' && /left for the relay/.test(line.message))).toBe(true);
    const [pending] = await deliveryStates(database.db);
    expect(pending!.published_at).toBeNull();
    expect(wakeUps).toEqual([[pending!.event_id]]);

    const healthy = mockedEventBridge();
    const relay = (now: Date) =>
      relayOnce({
        outbox,
        publisher: healthy.publisher,
        logger: recordingLogger().logger,
        batchSize: 10,
        leaseMs: 30_000,
        maxAttempts: 3,
        budgetMs: 5_000,
        clock: () => now,
      });
    expect((await relay(new Date())).claimed).toBe(0);
    expect(await relay(new Date(Date.now() + 16_000))).toMatchObject({ claimed: 1, published: 1 });
    expect(healthy.sentIds()).toEqual([pending!.event_id]);
  });

  it('never throws when EventBridge refuses the call; the event stays for the relay', async () => {
    const refusing = mockedEventBridge({ retry: NO_RETRY });
    refusing.mock.on(PutEventsCommand).rejects(callError('InternalException', 500));
    const { services, wakeUps } = servicesWith(refusing, 0);

    const created = await services.customers.create({ name: 'Down', email: 'down@example.com' }, ACTOR);

    expect(created.ok).toBe(true);
    expect(refusing.calls()).toHaveLength(1);
    expect(wakeUps).toEqual([[created.ok && created.value.event.eventId]]);
    const healthy = mockedEventBridge();
    await relayOnce({
      outbox,
      publisher: healthy.publisher,
      logger: recordingLogger().logger,
      batchSize: 10,
      leaseMs: 30_000,
      maxAttempts: 3,
      budgetMs: 5_000,
    });
    expect(healthy.sentDetails().map((detail) => detail.event_type)).toEqual(['CustomerCreated']);
  });

  it('leaves an event to the relay while an earlier event of its customer is still undelivered', async () => {
    const created = await createServices(database.db).customers.create({ name: 'Order', email: 'order@example.com' }, ACTOR);
    if (!created.ok) throw new Error(created.error.message);
    const eventBridge = mockedEventBridge({ retry: NO_RETRY });
    const { services, wakeUps } = servicesWith(eventBridge);

    const changed = await services.customers.change(created.value.customer.id, () => commands.changeTier('pro'), ACTOR);

    expect(changed.ok).toBe(true);
    expect(eventBridge.calls()).toEqual([]);
    expect(wakeUps).toHaveLength(1);
    eventBridge.mock
      .on(PutEventsCommand)
      .callsFake(async (input: { Entries: PutEventsRequestEntry[] }) => putEventsResponse(input.Entries.map(accepted)));
    await relayOnce({
      outbox,
      publisher: eventBridge.publisher,
      logger: recordingLogger().logger,
      batchSize: 10,
      leaseMs: 30_000,
      maxAttempts: 3,
      budgetMs: 5_000,
    });
    expect(eventBridge.sentDetails().map((detail) => detail.customer_version)).toEqual([1, 2]);
  });

  it('claims the event in the write statement; a writer that dies before delivering leaves it to the relay once the claim lapses', async () => {
    const dies = Object.assign(async () => undefined, { claimLeaseMs: 15_000 });
    const services = createServices(database.db, { afterCommit: dies });

    const created = await services.customers.create({ name: 'Crash', email: 'crash@example.com' }, ACTOR);

    if (!created.ok) throw new Error(created.error.message);
    const [claimed] = await deliveryStates(database.db);
    expect(claimed).toMatchObject({ event_id: created.value.event.eventId, published_at: null });
    expect(claimed!.claimed_until).not.toBeNull();
    const healthy = mockedEventBridge();
    const relay = (now: Date) =>
      relayOnce({
        outbox,
        publisher: healthy.publisher,
        logger: recordingLogger().logger,
        batchSize: 10,
        leaseMs: 30_000,
        maxAttempts: 3,
        budgetMs: 5_000,
        clock: () => now,
      });
    expect((await relay(new Date(Date.now() + 10_000))).claimed).toBe(0);
    expect(await relay(new Date(Date.now() + 16_000))).toMatchObject({ claimed: 1, published: 1 });
    expect(healthy.sentIds()).toEqual([created.value.event.eventId]);
  });

  it('concurrent writers to one customer never send its events out of order, and the relay sends what they left', async () => {
    const eventBridge = mockedEventBridge({ retry: NO_RETRY });
    const { services } = servicesWith(eventBridge);
    const created = await services.customers.create({ name: 'Busy', email: 'busy@example.com' }, ACTOR);
    if (!created.ok) throw new Error(created.error.message);

    const renames = Array.from({ length: 12 }, (_, index) =>
      services.customers.change(created.value.customer.id, () => commands.updateDetails({ name: `Busy ${index}` }), ACTOR),
    );
    expect((await Promise.all(renames)).every((outcome) => outcome.ok)).toBe(true);
    await relayOnce({
      outbox,
      publisher: eventBridge.publisher,
      logger: recordingLogger().logger,
      batchSize: 50,
      leaseMs: 30_000,
      maxAttempts: 3,
      budgetMs: 5_000,
      clock: () => new Date(Date.now() + 16_000),
    });
    const sent = eventBridge.sentDetails().map((detail) => detail.customer_version as number);
    expect(sent).toEqual(Array.from({ length: 13 }, (_, index) => index + 1));
  });
});
