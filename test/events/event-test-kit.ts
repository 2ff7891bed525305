import { EVENT_CATALOGUE } from '../../functions/event-catalogue.js';
import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { CustomerEvent } from '../../domain/customer/customer.events.js';
import type { Database } from '../../functions/db/database.js';
import { createEventBridgePublisher, type RetryPolicy } from '../../functions/events/eventbridge-publisher.js';
import { createLogger } from '../../functions/logger.js';

/** The caller every test event is attributed to. */
export const ACTOR = '019b6ec4-0000-7000-8000-00000000ad31';
export const BUS = 'customer-mgmt-test';
export const SOURCE = 'customer-mgmt';

/** Retries without waiting: the delays asked for are recorded instead. */
export const QUICK_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

export type EntryAnswer = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** PutEvents as EventBridge answers it: FailedEntryCount and one result per entry, in order. */
export function putEventsResponse(answers: readonly EntryAnswer[]): PutEventsCommandOutput {
  return { $metadata: { httpStatusCode: 200 }, FailedEntryCount: answers.filter((a) => 'ErrorCode' in a).length, Entries: [...answers] };
}

export const accepted = (): EntryAnswer => ({ EventId: randomUUID() });
export const failedWith = (code: string, message = `${code} (injected)`): EntryAnswer => ({ ErrorCode: code, ErrorMessage: message });

/** An error as the SDK throws it for a whole failed call. */
export function callError(name: string, httpStatusCode: number, message = `${name} (injected)`): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/**
 * An EventBridge client whose PutEvents is mocked (aws-sdk-client-mock), the publisher over it,
 * and readers for what was sent. By default every entry is accepted.
 */
export function mockedEventBridge(options: { retry?: RetryPolicy } = {}) {
  const client = new EventBridgeClient({ region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const mock = mockClient(client);
  mock
    .on(PutEventsCommand)
    .callsFake(async (input: { Entries: PutEventsRequestEntry[] }) => putEventsResponse(input.Entries.map(accepted)));
  const delays: number[] = [];
  const publisher = createEventBridgePublisher({
    client,
    busName: BUS,
    source: SOURCE,
    catalogue: EVENT_CATALOGUE,
    retry: options.retry ?? QUICK_RETRY,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 1,
  });
  const calls = () => mock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
  const sentDetails = () => calls().flatMap((entries) => entries.map((entry) => JSON.parse(entry.Detail!) as Record<string, any>));
  return { client, mock, publisher, delays, calls, sentDetails, sentIds: () => sentDetails().map((detail) => detail.event_id as string) };
}

/** A valid CustomerTierChanged event; ids and versions as given. */
export function tierChanged(customerId: string, customerVersion: number, overrides: Partial<CustomerEvent> = {}): CustomerEvent {
  return {
    eventId: uuidv7(),
    type: 'CustomerTierChanged',
    eventVersion: 1,
    aggregateType: 'customer',
    aggregateId: customerId,
    aggregateVersion: customerVersion,
    occurredAt: '2026-11-26T10:00:00.000Z',
    actor: '019b6ec4-0000-7000-8000-00000000ad31',
    data: { changes: { tier: { from: 'free', to: 'pro' } } },
    ...overrides,
  };
}

/** A logger that keeps its lines, parsed. */
export function recordingLogger() {
  const lines: Record<string, any>[] = [];
  return { logger: createLogger('info', (line) => lines.push(JSON.parse(line))), lines };
}

/** Empties the event log and the customers (each test starts from a clean outbox). */
export async function emptyEventLog(db: Kysely<Database>): Promise<void> {
  await sql`truncate customer_mgmt_events, customer_mgmt_customers cascade`.execute(db);
}

/** Delivery columns of every logged event, in log order. */
export async function deliveryStates(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('customer_mgmt_events')
    .select([
      'event_id',
      'aggregate_id',
      'aggregate_version',
      'published_at',
      'publish_attempts',
      'last_error',
      'parked_at',
      'claimed_until',
    ])
    .orderBy('position')
    .execute();
  return rows.map((row) => ({ ...row, publish_attempts: Number(row.publish_attempts), aggregate_version: Number(row.aggregate_version) }));
}
