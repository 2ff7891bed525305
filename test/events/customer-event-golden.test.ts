import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox } from '../../functions/events/outbox.js';
import { relayOnce } from '../../functions/events/outbox-relay.js';
import { ADMIN_ID, BASE, createApiHarness, steppingClock } from '../support/api-harness.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { mockedEventBridge, recordingLogger } from './event-test-kit.js';

/**
 * The published Detail of every Customer v1 event is a contract other contexts consume: these
 * files hold the exact bytes the service put on the bus when the platform was made
 * aggregate-neutral, and every later version must publish the same bytes for the same story.
 * `UPDATE_GOLDEN=1` rewrites them — only ever on purpose, with a new event version.
 */
const GOLDEN = new URL('./golden/customer-events.v1.json', import.meta.url);

/** Ids that are the same on every run: UUID v7 shaped, counting up. */
function countingIds(): () => string {
  let next = 0;
  return () => `019b6ec4-0000-7000-8000-${(++next).toString(16).padStart(12, '0')}`;
}

const SALES_REP = '019b6ec4-774c-70e0-9c2c-7ba19630289d';
const USER = '019b6ec4-1111-7000-8000-000000000001';

/** One customer's whole life through the real handlers: every Customer event type at least once. */
async function customerStory(database: TestDatabase) {
  const api = createApiHarness(database.db, steppingClock('2026-11-26T10:00:00.000Z'), countingIds());
  await api.registerSalesRep(SALES_REP);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await api.call({ method, path: `${BASE}${path}`, body });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body?.data;
  };
  const created = await call('POST', '/customers', {
    name: 'John Doe',
    email: 'John@Example.com',
    phone: '+380 12 345 6789',
    source: 'website',
    tier: 'basic',
    tags: ['vip', 'emea'],
    assigned_to: SALES_REP,
  });
  const id = created.id as string;
  await call('PUT', `/customers/${id}`, { name: 'John Q. Doe', email: 'john.doe@example.com', phone: null, source: 'referral' });
  await call('PUT', `/customers/${id}`, { user_id: USER });
  await call('POST', `/customers/${id}/qualify`);
  await call('POST', `/customers/${id}/convert`);
  await call('POST', `/customers/${id}/churn`, { reason: 'moved to a competitor' });
  await call('POST', `/customers/${id}/reactivate`);
  await call('PUT', `/customers/${id}/assign`, { assigned_to: null });
  await call('PUT', `/customers/${id}/tier`, { tier: 'enterprise' });
  await call('PUT', `/customers/${id}/tags`, { tags: ['Support', 'vip'] });
  await call('POST', `/customers/${id}/convert`);
  await call('POST', `/customers/${id}/churn`, {});
  await call('DELETE', `/customers/${id}`);
}

/** What went onto the bus, entry by entry, exactly as sent. */
async function published(database: TestDatabase) {
  const bus = mockedEventBridge();
  const outbox = createOutbox(database.db);
  const settings = { batchSize: 100, leaseMs: 30_000, maxAttempts: 3, budgetMs: 10_000 };
  await relayOnce({
    outbox,
    publisher: bus.publisher,
    logger: recordingLogger().logger,
    ...settings,
    clock: steppingClock('2026-11-26T11:00:00.000Z'),
  });
  return bus.calls().flatMap((entries) =>
    entries.map((entry) => ({
      Source: entry.Source,
      DetailType: entry.DetailType,
      Time: entry.Time?.toISOString(),
      Detail: entry.Detail,
    })),
  );
}

describe.each(availableDialects())('Customer v1 events on the bus, on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
  });
  afterAll(() => database.close());

  it('are byte for byte the golden files', async () => {
    await customerStory(database);
    const entries = await published(database);
    expect(entries.map((entry) => entry.DetailType)).toContain('CustomerTagsChanged');
    expect(new Set(entries.map((entry) => JSON.parse(entry.Detail!).actor))).toEqual(new Set([ADMIN_ID]));
    const text = `${JSON.stringify(entries, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    expect(existsSync(GOLDEN), 'golden file missing: run once with UPDATE_GOLDEN=1').toBe(true);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
