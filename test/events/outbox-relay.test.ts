import { randomUUID } from 'node:crypto';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as commands from '../../domain/customer/customer-commands.js';
import { createOutbox, RELAY_CLAIM_LOCK, type Outbox } from '../../functions/events/outbox.js';
import { relayOnce, type RelayOptions } from '../../functions/events/outbox-relay.js';
import { createServices } from '../../functions/services.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import {
  accepted,
  deliveryStates,
  emptyEventLog,
  failedWith,
  mockedEventBridge,
  putEventsResponse,
  recordingLogger,
  ACTOR,
} from './event-test-kit.js';

describe.each(availableDialects())('outbox relay on %s', (dialect) => {
  let database: TestDatabase;
  let outbox: Outbox;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    outbox = createOutbox(database.db);
  });
  afterAll(() => database.close());
  beforeEach(() => emptyEventLog(database.db));

  const settings = { batchSize: 100, leaseMs: 30_000, maxAttempts: 3, budgetMs: 10_000 };
  const relay = (publisher: RelayOptions['publisher'], overrides: Partial<RelayOptions> = {}) =>
    relayOnce({ outbox, publisher, logger: recordingLogger().logger, ...settings, ...overrides });

  /** Creates a customer and moves its tier `changes` times: 1 + changes events, all unpublished. */
  async function customerWithEvents(changes: number, services = createServices(database.db)): Promise<string> {
    const created = await services.customers.create({ name: 'Relay Test', email: `relay.${randomUUID().slice(0, 8)}@example.com` }, ACTOR);
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.customer.id;
    const tiers = ['basic', 'pro', 'enterprise', 'free'] as const;
    for (let i = 0; i < changes; i++) {
      const changed = await services.customers.change(id, () => commands.changeTier(tiers[i % tiers.length]!), ACTOR);
      if (!changed.ok) throw new Error(changed.error.message);
    }
    return id;
  }

  it('publishes every unpublished event once, in log order, and marks it published', async () => {
    const first = await customerWithEvents(2);
    const second = await customerWithEvents(1);
    const eventBridge = mockedEventBridge();

    const result = await relay(eventBridge.publisher);

    const states = await deliveryStates(database.db);
    expect(result).toMatchObject({ claimed: 5, published: 5, failed: 0, parked: 0, stoppedBy: 'empty' });
    expect(eventBridge.sentIds().sort()).toEqual(states.map((state) => state.event_id).sort());
    expect(states.every((state) => state.published_at !== null && state.claimed_until === null)).toBe(true);
    for (const customer of [first, second]) {
      const versions = eventBridge
        .sentDetails()
        .filter((detail) => detail.customer_id === customer)
        .map((detail) => detail.customer_version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    }
    expect((await relay(eventBridge.publisher)).claimed).toBe(0);
  });

  it('recovers a crash between commit and publish: the change is committed, the next sweep publishes its event', async () => {
    const crashing = createServices(database.db, {
      afterCommit: async () => {
        throw new Error('Lambda died right after the commit');
      },
    });
    await expect(crashing.customers.create({ name: 'Crash', email: 'crash@example.com' }, ACTOR)).rejects.toThrow('Lambda died');
    await customerWithEvents(0, createServices(database.db));
    const eventBridge = mockedEventBridge();

    await relay(eventBridge.publisher);

    const emails = eventBridge.sentDetails().map((detail) => detail.data.customer.email);
    expect(emails).toHaveLength(2);
    expect(emails).toContain('crash@example.com');
    expect((await deliveryStates(database.db)).every((state) => state.published_at !== null)).toBe(true);
  });

  it('publishes nothing for a change that did not commit', async () => {
    const services = createServices(database.db);
    const id = await customerWithEvents(0, services);
    const conflict = await services.customers.create(
      { name: 'Twin', email: (await services.customers.get(id)).ok ? 'twin@example.com' : '' },
      ACTOR,
    );
    const duplicate = await services.customers.create({ name: 'Twin again', email: 'TWIN@example.com' }, ACTOR);
    const invalid = await services.customers.change(id, (now) => commands.transition('convert', now), ACTOR);
    const eventBridge = mockedEventBridge();

    await relay(eventBridge.publisher);

    expect([conflict.ok, duplicate.ok, invalid.ok]).toEqual([true, false, false]);
    expect(eventBridge.sentDetails().map((detail) => detail.event_type)).toEqual(['CustomerCreated', 'CustomerCreated']);
  });

  it('retries a throttled event on the next run without parking it', async () => {
    await customerWithEvents(0);
    const eventBridge = mockedEventBridge({ retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    eventBridge.mock.on(PutEventsCommand).resolves(putEventsResponse([failedWith('ThrottlingException', 'Rate exceeded')]));

    for (let run = 0; run < settings.maxAttempts + 1; run++) expect((await relay(eventBridge.publisher)).stoppedBy).toBe('failures');

    const [throttled] = await deliveryStates(database.db);
    expect(throttled).toMatchObject({
      published_at: null,
      parked_at: null,
      claimed_until: null,
      publish_attempts: settings.maxAttempts + 1,
      last_error: 'ThrottlingException: Rate exceeded',
    });
    eventBridge.mock
      .on(PutEventsCommand)
      .callsFake(async (input: { Entries: PutEventsRequestEntry[] }) => putEventsResponse(input.Entries.map(accepted)));
    expect(await relay(eventBridge.publisher)).toMatchObject({ published: 1, stoppedBy: 'empty' });
  });

  it('parks an event that keeps failing non-retryably after maxAttempts runs, with its error, and lets the customer’s later events go', async () => {
    const id = await customerWithEvents(2);
    const [poisoned] = await deliveryStates(database.db);
    const eventBridge = mockedEventBridge();
    eventBridge.mock
      .on(PutEventsCommand)
      .callsFake(async (input: { Entries: PutEventsRequestEntry[] }) =>
        putEventsResponse(
          input.Entries.map((entry) =>
            JSON.parse(entry.Detail!).event_id === poisoned!.event_id
              ? failedWith('NotAuthorizedForDetailTypeException', 'denied')
              : accepted(),
          ),
        ),
      );

    const runs = [];
    for (let run = 0; run < settings.maxAttempts; run++) runs.push(await relay(eventBridge.publisher));

    expect(runs.map((run) => [run.failed, run.parked, run.stoppedBy])).toEqual([
      [1, 0, 'failures'],
      [1, 0, 'failures'],
      [1, 1, 'empty'],
    ]);
    const states = await deliveryStates(database.db);
    expect(states[0]).toMatchObject({
      event_id: poisoned!.event_id,
      published_at: null,
      publish_attempts: 3,
      last_error: 'NotAuthorizedForDetailTypeException: denied',
    });
    expect(states[0]!.parked_at).not.toBeNull();
    expect(states.slice(1).every((state) => state.published_at !== null && state.aggregate_id === id)).toBe(true);
    expect(
      eventBridge
        .sentDetails()
        .filter((detail) => detail.event_id !== poisoned!.event_id)
        .map((detail) => detail.customer_version),
    ).toEqual([2, 3]);
    expect(await outbox.countParked()).toBe(1);
    expect((await relay(eventBridge.publisher)).claimed).toBe(0);
  });

  it('parks an event that breaks its contract at once, without sending it', async () => {
    await customerWithEvents(1);
    await sql`update customer_mgmt_events set data = cast(${JSON.stringify({ changes: { tier: { from: 'free', to: 'platinum' } } })} as jsonb) where aggregate_version = 2`.execute(
      database.db,
    );
    const eventBridge = mockedEventBridge();

    const result = await relay(eventBridge.publisher);

    const states = await deliveryStates(database.db);
    expect(result).toMatchObject({ published: 1, failed: 1, parked: 1, stoppedBy: 'empty' });
    expect(eventBridge.sentDetails().map((detail) => detail.customer_version)).toEqual([1]);
    expect(states[1]).toMatchObject({
      publish_attempts: 1,
      last_error: expect.stringContaining('ContractViolation: violates CustomerTierChanged.v1: data.changes.tier.to'),
    });
    expect(states[1]!.parked_at).not.toBeNull();
  });

  it('keeps per-customer order: once an event fails, the customer’s later events wait while other customers go on', async () => {
    const held = await customerWithEvents(2);
    const other = await customerWithEvents(0);
    const [first] = await deliveryStates(database.db);
    const eventBridge = mockedEventBridge({ retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    eventBridge.mock
      .on(PutEventsCommand)
      .callsFakeOnce(async (input: { Entries: PutEventsRequestEntry[] }) =>
        putEventsResponse(
          input.Entries.map((entry) =>
            JSON.parse(entry.Detail!).event_id === first!.event_id ? failedWith('InternalFailure') : accepted(),
          ),
        ),
      );

    const failedRun = await relay(eventBridge.publisher);

    expect(failedRun).toMatchObject({ claimed: 4, published: 1, failed: 1, released: 2, stoppedBy: 'failures' });
    expect(eventBridge.sentDetails().map((detail) => detail.customer_id)).toEqual([held, other]);
    const afterFailure = await deliveryStates(database.db);
    expect(afterFailure.filter((state) => state.aggregate_id === held).map((state) => state.published_at)).toEqual([null, null, null]);
    expect(afterFailure.every((state) => state.claimed_until === null)).toBe(true);

    eventBridge.mock
      .on(PutEventsCommand)
      .callsFake(async (input: { Entries: PutEventsRequestEntry[] }) => putEventsResponse(input.Entries.map(accepted)));
    await relay(eventBridge.publisher);

    const heldVersions = eventBridge
      .sentDetails()
      .filter((detail) => detail.customer_id === held)
      .map((detail) => detail.customer_version);
    expect(heldVersions).toEqual([1, 1, 2, 3]);
  });

  it('never claims an event while an earlier event of its customer is leased by someone else', async () => {
    const first = await customerWithEvents(1);
    const second = await customerWithEvents(0);
    const now = new Date();

    const a = await outbox.claimBatch(1, 30_000, now);
    const b = await outbox.claimBatch(10, 30_000, now);
    const afterLease = await outbox.claimBatch(10, 30_000, new Date(now.getTime() + 31_000));

    expect(a.map((event) => [event.aggregateId, event.aggregateVersion])).toEqual([[first, 1]]);
    expect(b.map((event) => [event.aggregateId, event.aggregateVersion])).toEqual([[second, 1]]);
    expect(afterLease.map((event) => [event.aggregateId, event.aggregateVersion])).toEqual([
      [first, 1],
      [first, 2],
      [second, 1],
    ]);
  });

  it.skipIf(dialect !== 'postgres')('claims nothing while another relay holds the claim lock', async () => {
    await customerWithEvents(0);
    await database.db.connection().execute(async (connection) => {
      await sql`select pg_advisory_lock(${sql.lit(RELAY_CLAIM_LOCK)})`.execute(connection);
      try {
        expect(await outbox.claimBatch(10, 30_000, new Date())).toEqual([]);
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(RELAY_CLAIM_LOCK)})`.execute(connection);
      }
    });
    expect(await outbox.claimBatch(10, 30_000, new Date())).toHaveLength(1);
  });

  it('two relays running at once send each event exactly once, each customer in order', async () => {
    const services = createServices(database.db);
    const customers = await Promise.all(Array.from({ length: 12 }, () => customerWithEvents(3, services)));
    const sent: { relay: string; eventId: string; customerId: string; version: number }[] = [];
    const relays = ['a', 'b'].map((name) => {
      const eventBridge = mockedEventBridge();
      eventBridge.mock.on(PutEventsCommand).callsFake(async (input: { Entries: PutEventsRequestEntry[] }) => {
        for (const entry of input.Entries) {
          const detail = JSON.parse(entry.Detail!);
          sent.push({ relay: name, eventId: detail.event_id, customerId: detail.customer_id, version: detail.customer_version });
        }
        await new Promise((resolve) => setTimeout(resolve, 3));
        return putEventsResponse(input.Entries.map(accepted));
      });
      return eventBridge;
    });
    const unpublished = async () => (await deliveryStates(database.db)).filter((state) => state.published_at === null).length;

    await Promise.all(
      relays.map(async ({ publisher }) => {
        for (let run = 0; run < 50 && (await unpublished()) > 0; run++) await relay(publisher, { batchSize: 5 });
      }),
    );

    const states = await deliveryStates(database.db);
    expect(states).toHaveLength(48);
    expect(states.every((state) => state.published_at !== null)).toBe(true);
    expect(sent.map((s) => s.eventId).sort()).toEqual(states.map((state) => state.event_id).sort());
    for (const customer of customers) {
      expect(sent.filter((s) => s.customerId === customer).map((s) => s.version)).toEqual([1, 2, 3, 4]);
    }
  });
});
