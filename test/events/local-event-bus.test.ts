import { EVENT_CATALOGUE } from '../../functions/event-catalogue.js';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBridgePublisher, NO_RETRY } from '../../functions/events/eventbridge-publisher.js';
import { createImmediateDelivery } from '../../functions/events/immediate-delivery.js';
import { createOutbox } from '../../functions/events/outbox.js';
import { relayOnce } from '../../functions/events/outbox-relay.js';
import { createServices } from '../../functions/services.js';
import { createLocalEventBus, type BusEvent } from '../../infra/local/local-event-bus.js';
import { startLocalEventRelay } from '../../infra/local/local-event-relay.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { recordingLogger, tierChanged, ACTOR } from './event-test-kit.js';

const CUSTOMER = '01a21628-e223-7bd2-9a3f-6e1b6da6229b';

describe('local event bus', () => {
  it('logs every published event as one JSON line and accepts it', async () => {
    const { logger, lines } = recordingLogger();
    const bus = createLocalEventBus({ logger });
    const publisher = createEventBridgePublisher({
      client: bus.client,
      busName: 'local',
      source: 'customer-mgmt',
      catalogue: EVENT_CATALOGUE,
    });
    const event = tierChanged(CUSTOMER, 2);

    expect(await publisher.publish([event])).toEqual([{ eventId: event.eventId, status: 'published' }]);
    expect(lines).toEqual([
      {
        level: 'INFO',
        timestamp: expect.any(String),
        service: 'customer-mgmt',
        sampling_rate: 0,
        message: 'event published',
        source: 'customer-mgmt',
        event_id: event.eventId,
        event_type: 'CustomerTierChanged',
        event_version: 1,
        occurred_at: event.occurredAt,
        customer_id: CUSTOMER,
        customer_version: 2,
        actor: event.actor,
        data: event.data,
      },
    ]);
  });

  it('delivers to the subscribers whose pattern matches, as an EventBridge rule target would receive it', async () => {
    const bus = createLocalEventBus({ logger: recordingLogger().logger });
    const received: Record<string, BusEvent[]> = { tier: [], orders: [], everything: [] };
    bus.subscribe({ source: ['customer-mgmt'], 'detail-type': ['CustomerTierChanged'] }, (event) => void received.tier!.push(event));
    bus.subscribe({ source: ['order-mgmt'] }, (event) => void received.orders!.push(event));
    bus.subscribe({}, (event) => void received.everything!.push(event));
    const publisher = createEventBridgePublisher({
      client: bus.client,
      busName: 'local',
      source: 'customer-mgmt',
      catalogue: EVENT_CATALOGUE,
    });
    const event = tierChanged(CUSTOMER, 2);

    await publisher.publish([event]);
    await bus.client.send(
      new PutEventsCommand({ Entries: [{ Source: 'order-mgmt', DetailType: 'OrderPlaced', Detail: JSON.stringify({ event_id: 'o-1' }) }] }),
    );
    await bus.idle();

    expect(received.tier).toEqual([
      {
        version: '0',
        id: expect.any(String),
        'detail-type': 'CustomerTierChanged',
        source: 'customer-mgmt',
        account: '000000000000',
        time: event.occurredAt,
        region: 'eu-central-1',
        resources: [],
        detail: expect.objectContaining({ event_id: event.eventId, customer_version: 2 }),
      },
    ]);
    expect(received.orders!.map((e) => e['detail-type'])).toEqual(['OrderPlaced']);
    expect(received.everything!.map((e) => e['detail-type'])).toEqual(['CustomerTierChanged', 'OrderPlaced']);
  });

  it('logs a failing consumer without failing the publisher', async () => {
    const { logger, lines } = recordingLogger();
    const bus = createLocalEventBus({ logger });
    bus.subscribe({}, () => {
      throw new Error('consumer broke');
    });
    const publisher = createEventBridgePublisher({
      client: bus.client,
      busName: 'local',
      source: 'customer-mgmt',
      catalogue: EVENT_CATALOGUE,
    });

    const [outcome] = await publisher.publish([tierChanged(CUSTOMER, 2)]);
    await bus.idle();

    expect(outcome!.status).toBe('published');
    expect(lines.find((line) => line.level === 'ERROR')).toMatchObject({
      message: 'local event consumer failed',
      detail_type: 'CustomerTierChanged',
      error: 'Error: consumer broke',
    });
  });
});

describe('npm start delivers events in-process', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(() => database.close());

  it('right after the commit, and through the relay loop for what was missed', async () => {
    const { logger, lines } = recordingLogger();
    const bus = createLocalEventBus({ logger });
    const outbox = createOutbox(database.db);
    const publisher = createEventBridgePublisher({
      client: bus.client,
      busName: 'local',
      source: 'customer-mgmt',
      catalogue: EVENT_CATALOGUE,
      retry: NO_RETRY,
    });
    const withDelivery = createServices(database.db, {
      afterCommit: createImmediateDelivery({ outbox, publisher, logger, budgetMs: 1_000 }),
    });
    const withoutDelivery = createServices(database.db);
    const published = () => lines.filter((line) => line.message === 'event published').map((line) => line.data?.customer?.email);

    await withDelivery.customers.create({ name: 'Live', email: 'live@example.com' }, ACTOR);
    expect(published()).toEqual(['live@example.com']);

    await withoutDelivery.customers.create({ name: 'Missed', email: 'missed@example.com' }, ACTOR);
    let swept!: () => void;
    const sweptOnce = new Promise<void>((resolve) => (swept = resolve));
    const relay = startLocalEventRelay({
      intervalMs: 10,
      logger,
      sweep: async () => {
        const result = await relayOnce({ outbox, publisher, logger, batchSize: 10, leaseMs: 30_000, maxAttempts: 3, budgetMs: 1_000 });
        if (result.published > 0) swept();
        return result;
      },
    });
    await sweptOnce;
    await relay.stop();

    expect(published()).toEqual(['live@example.com', 'missed@example.com']);
    expect(lines.some((line) => line.message === 'outbox relay run' && line.published === 1)).toBe(true);
  });
});
