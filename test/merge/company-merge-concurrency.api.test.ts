import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, type ApiHarness } from '../support/api-harness.js';

const unique = () => randomUUID().slice(0, 8);
const ROUNDS = 4;

/**
 * A company merge racing with a contact being linked to the loser, a deal created on it, and
 * interactions logged on it or relinked to it loses nothing (docs/merge.md): each write either
 * commits first and is moved to the survivor, or waits for the merge (each locks the company) and is
 * refused. Checked from the stored rows.
 */
describe.each(availableDialects())('company merges racing with writes on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
  });
  afterAll(() => database.close());

  const call = (method: string, path: string, body?: unknown) => api.call({ method, path: `${BASE}${path}`, body });
  async function company() {
    const created = await call('POST', '/companies', { name: `Company ${unique()}`, domain: `c${unique()}.example.com` });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.data as { id: string };
  }
  const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(database.db)).rows;

  it('a merge against new contacts and deals on the loser: each is moved or refused, none is left on the loser', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const survivor = await company();
      const loser = await company();
      const existing = await call('POST', '/customers', { name: `Existing ${unique()}`, email: `e.${unique()}@example.com` });
      expect(existing.status).toBe(201);
      const [merged, created, linked, deal] = await Promise.all([
        call('POST', `/companies/${survivor.id}/merge`, { merge_ids: [loser.id] }),
        call('POST', '/customers', { name: `Contact ${round}`, email: `c.${unique()}@example.com`, company_id: loser.id }),
        call('PUT', `/customers/${existing.body.data.id}`, { company_id: loser.id }),
        call('POST', '/deals', { name: `Deal ${round}`, company_id: loser.id }),
      ]);
      expect(merged.status, JSON.stringify(merged.body)).toBe(200);
      for (const write of [created, linked, deal]) expect([200, 201, 404, 409, 422], JSON.stringify(write.body)).toContain(write.status);
      const left = await rows(sql<{ kind: string }>`
        select 'contact' as kind from customer_mgmt_customers where company_id = cast(${loser.id} as uuid) and deleted_at is null
        union all
        select 'deal' from customer_mgmt_deals where company_id = cast(${loser.id} as uuid) and deleted_at is null`);
      expect(left, `round ${round}: contact ${created.status}, link ${linked.status}, deal ${deal.status}`).toEqual([]);
      if (created.status === 201) expect((await call('GET', `/customers/${created.body.data.id}`)).body.data.company_id).toBe(survivor.id);
      if (linked.status === 200) expect((await call('GET', `/customers/${existing.body.data.id}`)).body.data.company_id).toBe(survivor.id);
      if (deal.status === 201) expect((await call('GET', `/deals/${deal.body.data.id}`)).body.data.company_id).toBe(survivor.id);
      // The merge moved exactly the writes that committed before it.
      expect(merged.body.data.moved.contacts + merged.body.data.moved.deals).toBe(
        [created.status === 201, linked.status === 200, deal.status === 201].filter(Boolean).length,
      );
    }
  });

  const LOGS = 8;
  const logOn = (companyId: string, n: number) =>
    call(
      'POST',
      '/interactions',
      n % 2 === 0
        ? { type: 'note', occurred_at: '2026-01-01T10:00:00Z', subject: `Note ${n}`, links: { company_id: companyId } }
        : {
            type: 'call',
            direction: 'outbound',
            duration_s: 60,
            occurred_at: '2026-01-02T10:00:00Z',
            subject: `Call ${n}`,
            links: { company_id: companyId },
          },
    );
  const linksTo = async (id: string) =>
    Number(
      (
        await rows(sql<{ n: number | string }>`
          select count(*) as n from customer_mgmt_interaction_links
          where target_type = 'company' and target_id = cast(${id} as uuid) and deleted_at is null`)
      )[0]!.n,
    );

  it('a merge against many interactions logged on the loser and one relinked to it: each is moved or refused, none is left on the loser', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const survivor = await company();
      const loser = await company();
      const elsewhere = await company();
      const before = await logOn(loser.id, 0);
      const relinked = await logOn(elsewhere.id, 1);
      expect([before.status, relinked.status]).toEqual([201, 201]);
      const [merged, relink, ...logs] = await Promise.all([
        call('POST', `/companies/${survivor.id}/merge`, { merge_ids: [loser.id] }),
        call('PUT', `/interactions/${relinked.body.data.id}`, { links: { company_id: loser.id } }),
        ...Array.from({ length: LOGS }, (_, n) => logOn(loser.id, n)),
      ]);
      expect(merged.status, JSON.stringify(merged.body)).toBe(200);
      for (const write of [relink, ...logs]) {
        expect([200, 201, 404], JSON.stringify(write.body)).toContain(write.status);
        if (write.status === 404) expect(write.body.error.code).toBe('COMPANY.NOT_FOUND');
      }
      const created = logs.filter((log) => log.status === 201).length;
      const moved = relink.status === 200 ? 1 : 0;
      const left = await rows(sql<{ id: string }>`
        select i.id from customer_mgmt_interactions i
        where i.links -> 'company' @> ${JSON.stringify([loser.id])}::jsonb
        union
        select l.interaction_id from customer_mgmt_interaction_links l
        where l.target_type = 'company' and l.target_id = cast(${loser.id} as uuid)`);
      expect(left, `round ${round}: ${created} logged, relink ${relink.status}`).toEqual([]);
      // Every interaction that was accepted is on the survivor: the one before, those logged, the relinked one.
      expect(await linksTo(survivor.id)).toBe(1 + created + moved);
      expect(await linksTo(elsewhere.id)).toBe(1 - moved);
      // The merge moved those that committed before it; the others came after it and were refused.
      expect(merged.body.data.moved.interactions).toBe(1 + created + moved);
    }
  });

  it('a merge against interactions on the loser being relinked elsewhere: no deadlock, each ends where its last accepted write put it', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const survivor = await company();
      const loser = await company();
      const elsewhere = await company();
      const logged = await Promise.all(Array.from({ length: 4 }, (_, n) => logOn(loser.id, n)));
      expect(logged.map((log) => log.status)).toEqual([201, 201, 201, 201]);
      const [merged, ...relinks] = await Promise.all([
        call('POST', `/companies/${survivor.id}/merge`, { merge_ids: [loser.id] }),
        ...logged.map((log) => call('PUT', `/interactions/${log.body.data.id}`, { links: { company_id: elsewhere.id } })),
      ]);
      expect(merged.status, JSON.stringify(merged.body)).toBe(200);
      for (const relink of relinks) expect(relink.status, JSON.stringify(relink.body)).toBe(200);
      // Every relink was accepted (before the merge, or after it on the interaction it had moved): all are elsewhere.
      expect(await linksTo(elsewhere.id)).toBe(4);
      expect([await linksTo(loser.id), await linksTo(survivor.id)]).toEqual([0, 0]);
    }
  });
});
