import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../functions/config.js';
import { createOutbox } from '../../functions/events/outbox.js';
import { RELAY_WAKE_UP_SOURCE } from '../../functions/events/relay-wake-up.js';
import { createServices } from '../../functions/services.js';
import { LOCAL_CLUSTER } from '../../infra/local/local-data-api.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { accepted, failedWith, putEventsResponse } from './event-test-kit.js';

describe('event configuration', () => {
  it('has defaults for everything but the bus', () => {
    expect(loadConfig({}).events).toEqual({
      busName: undefined,
      source: 'customer-mgmt',
      deliverAfterCommit: true,
      publishBudgetMs: 300,
      relayFunctionName: undefined,
      relay: { intervalMs: 5_000, batchSize: 100, leaseMs: 60_000, maxAttempts: 5 },
    });
  });

  it('fails naming a malformed variable', () => {
    expect(() => loadConfig({ EVENTS_MAX_ATTEMPTS: 'many' })).toThrow(/EVENTS_MAX_ATTEMPTS/);
    expect(() => loadConfig({ EVENTS_PUBLISH_BUDGET_MS: '-1' })).toThrow(/EVENTS_PUBLISH_BUDGET_MS/);
  });
});

describe('the relay Lambda handler', () => {
  const eventBridge = mockClient(EventBridgeClient);
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('data-api');
    const { customers } = createServices(database.db);
    await customers.create({ name: 'Swept', email: 'swept@example.com' }, '019b6ec4-0000-7000-8000-00000000ad31');
    await customers.create({ name: 'Refused', email: 'refused@example.com' }, '019b6ec4-0000-7000-8000-00000000ad31');
    // The handler reads process.env, as on Lambda: the Data API, here the local endpoint.
    vi.stubEnv('DB_CLUSTER_ARN', LOCAL_CLUSTER.clusterArn);
    vi.stubEnv('DB_SECRET_ARN', LOCAL_CLUSTER.secretArn);
    vi.stubEnv('DB_NAME', LOCAL_CLUSTER.database);
    vi.stubEnv('DATA_API_ENDPOINT', database.endpoint!.url);
    vi.stubEnv('EVENT_BUS_NAME', 'customer-mgmt-dev');
    vi.stubEnv('SERVICE_NAME', 'customer-mgmt-dev');
    vi.stubEnv('ENVIRONMENT_NAME', 'dev');
    vi.stubEnv('EVENTS_MAX_ATTEMPTS', '1');
    vi.stubEnv('LOG_LEVEL', 'silent');
    vi.stubEnv('AWS_REGION', 'eu-central-1');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    eventBridge.restore();
    await database.close();
  });

  it('sweeps the outbox to the configured bus and reports parked events as a metric', async () => {
    eventBridge
      .on(PutEventsCommand)
      .callsFake(async (input: { Entries: PutEventsRequestEntry[] }) =>
        putEventsResponse(
          input.Entries.map((entry) => (entry.Detail!.includes('refused@') ? failedWith('NotAuthorizedForSourceException') : accepted())),
        ),
      );
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      const { handler } = await import('../../functions/outbox-relay/handler.js');
      const result = await handler({}, { getRemainingTimeInMillis: () => 60_000 } as Context);

      expect(result).toMatchObject({ claimed: 2, published: 1, failed: 1, parked: 1, stoppedBy: 'empty' });
    } finally {
      write.mockRestore();
    }
    const entries = eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
    expect(entries.map((entry) => [entry.EventBusName, entry.Source, entry.DetailType])).toEqual([
      ['customer-mgmt-dev', 'customer-mgmt', 'CustomerCreated'],
      ['customer-mgmt-dev', 'customer-mgmt', 'CustomerCreated'],
    ]);
    // One validated EMF line (Powertools Metrics): namespace, default dimensions service and environment.
    const metrics = written
      .flatMap((chunk) => chunk.split('\n').filter(Boolean))
      .map((line) => JSON.parse(line))
      .filter((line) => line._aws);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'CustomerMgmt',
        Dimensions: [['service', 'environment']],
        Metrics: expect.arrayContaining([
          { Name: 'ParkedEvents', Unit: 'Count' },
          { Name: 'PublishedEvents', Unit: 'Count' },
          { Name: 'FailedEvents', Unit: 'Count' },
          { Name: 'OldestUndeliveredEventAge', Unit: 'Seconds' },
        ]),
      },
    ]);
    expect(metrics[0]).toMatchObject({
      service: 'customer-mgmt-dev',
      environment: 'dev',
      ParkedEvents: 1,
      PublishedEvents: 1,
      FailedEvents: 1,
      OldestUndeliveredEventAge: 0,
    });
  });

  it('woken by the write path, waits for the write path’s lapsing claim and then delivers the event', async () => {
    eventBridge.reset();
    eventBridge
      .on(PutEventsCommand)
      .callsFake(async (input: { Entries: PutEventsRequestEntry[] }) => putEventsResponse(input.Entries.map(() => accepted())));
    const created = await createServices(database.db).customers.create(
      { name: 'Woken', email: 'woken@example.com' },
      '019b6ec4-0000-7000-8000-00000000ad31',
    );
    if (!created.ok) throw new Error(created.error.message);
    // The write path claimed it, then timed out before publishing.
    await createOutbox(database.db).claimEvents([created.value.event.eventId], 500, new Date());
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const { handler } = await import('../../functions/outbox-relay/handler.js');
      const result = await handler({ source: RELAY_WAKE_UP_SOURCE, event_ids: [created.value.event.eventId] }, {
        getRemainingTimeInMillis: () => 60_000,
      } as Context);

      expect(result).toMatchObject({ published: 1, stoppedBy: 'empty' });
    } finally {
      write.mockRestore();
    }
    const sent = eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
    expect(sent.map((entry) => JSON.parse(entry.Detail!).event_id)).toEqual([created.value.event.eventId]);
  });
});
