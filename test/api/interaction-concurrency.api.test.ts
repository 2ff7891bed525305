import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

const statusCounts = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});

describe.each(availableDialects())('concurrent interaction writes on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
  });
  afterAll(() => database.close());

  const customer = async () =>
    (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id as string;
  const note = (ids: string[], at: string, extra: Record<string, unknown> = {}) =>
    api.call({
      method: 'POST',
      path: `${BASE}/interactions`,
      body: { type: 'note', occurred_at: at, links: { customer_ids: ids }, ...extra },
    });
  const lastInteractionAt = async (id: string) =>
    (await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data.last_interaction_at as string | null;
  /** What the links say last_interaction_at must be, computed from scratch. */
  const expectedLast = async (id: string) => {
    const { rows } = await sql<{ latest: Date | string | null }>`select max(occurred_at) as latest from customer_mgmt_interaction_links
      where target_type = 'customer' and target_id = cast(${id} as uuid) and deleted_at is null and counts_as_contact`.execute(database.db);
    const latest = rows[0]?.latest ?? null;
    return latest === null
      ? null
      : new Date(typeof latest === 'string' && !latest.includes('T') ? `${latest.replace(' ', 'T')}Z` : latest).toISOString();
  };

  it('of 12 concurrent posts of one external id, exactly one is created (201) and the others answer it (200)', async () => {
    const id = await customer();
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => note([id], '2025-12-01T10:00:00Z', { source: 'email_sync', external_id: 'sync-race-1' })),
    );
    expect(statusCounts(responses.map((response) => response.status))).toEqual({ 200: 11, 201: 1 });
    expect(new Set(responses.map((response) => response.body.data.id)).size).toBe(1);
    const { rows } = await sql<{
      n: string;
    }>`select count(*) as n from customer_mgmt_interactions where external_id = 'sync-race-1'`.execute(database.db);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('20 concurrent logs at shuffled times on two shared customers leave last_interaction_at at the latest', async () => {
    const [a, b] = [await customer(), await customer()];
    const times = Array.from({ length: 20 }, (_, n) => new Date(Date.UTC(2025, 0, 1 + ((n * 7) % 20))).toISOString());
    const responses = await Promise.all(times.map((at, n) => note(n % 2 === 0 ? [a!, b!] : [b!, a!], at)));
    expect(responses.every((response) => response.status === 201)).toBe(true);
    const latest = [...times].sort().at(-1);
    expect(await lastInteractionAt(a!)).toBe(latest);
    expect(await lastInteractionAt(b!)).toBe(latest);
  });

  it('concurrent deletes, moves and logs on one customer leave last_interaction_at exactly what its live interactions say', async () => {
    const id = await customer();
    const logged: string[] = [];
    for (let n = 0; n < 12; n++) logged.push((await note([id], new Date(Date.UTC(2025, 1, 1 + n)).toISOString())).body.data.id);
    const writes = [
      ...logged.slice(6).map((interaction) => api.call({ method: 'DELETE', path: `${BASE}/interactions/${interaction}` })),
      ...logged
        .slice(3, 6)
        .map((interaction) =>
          api.call({ method: 'PUT', path: `${BASE}/interactions/${interaction}`, body: { occurred_at: '2024-06-01T00:00:00Z' } }),
        ),
      note([id], '2025-01-15T00:00:00Z'),
      note([id], '2024-12-31T00:00:00Z'),
    ];
    const responses = await Promise.all(writes);
    expect(
      responses.every((response) => response.status < 300),
      JSON.stringify(responses.map((response) => response.status)),
    ).toBe(true);
    expect(await lastInteractionAt(id)).toBe(await expectedLast(id));
    expect(await lastInteractionAt(id)).toBe('2025-02-03T00:00:00.000Z');
  });

  it('a delete racing a log on the same customer never leaves the deleted one as the latest', async () => {
    for (let round = 0; round < 15; round++) {
      const id = await customer();
      const early = (await note([id], '2025-03-01T00:00:00Z')).body.data.id;
      const late = (await note([id], '2025-03-10T00:00:00Z')).body.data.id;
      await Promise.all([
        api.call({ method: 'DELETE', path: `${BASE}/interactions/${late}` }),
        api.call({ method: 'DELETE', path: `${BASE}/interactions/${early}` }),
        note([id], '2025-03-05T00:00:00Z'),
      ]);
      expect(await lastInteractionAt(id), `round ${round}`).toBe('2025-03-05T00:00:00.000Z');
    }
  });

  it('a customer deleted while an interaction links it: either the log is 404 or it happened before; nothing half-written', async () => {
    const id = await customer();
    const [logged, deleted] = await Promise.all([
      note([id], '2025-04-01T00:00:00Z'),
      api.call({ method: 'DELETE', path: `${BASE}/customers/${id}` }),
    ]);
    expect(deleted.status).toBe(204);
    expect([201, 404]).toContain(logged.status);
    const { rows } = await sql<{ interactions: string; links: string }>`select
      (select count(*) from customer_mgmt_interaction_links where target_id = cast(${id} as uuid)) as links,
      (select count(*) from customer_mgmt_interactions where links @> jsonb_build_object('customer', jsonb_build_array(cast(${id} as text)))) as interactions`.execute(
      database.db,
    );
    expect(Number(rows[0]!.links)).toBe(logged.status === 201 ? 1 : 0);
    expect(Number(rows[0]!.interactions)).toBe(Number(rows[0]!.links));
  });
});
