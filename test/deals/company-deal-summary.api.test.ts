import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';

/**
 * The company summary's deal figures on a fixture small enough to check by hand. The clock
 * starts at 2026-03-01T09:00Z, so "the last 365 days" begins about 2025-03-01T09:00Z.
 * Default pipeline probabilities: qualification 0.1, proposal 0.5, negotiation 0.8.
 *
 * Group (the company asked about):
 *   D1 open  EUR 10 000, qualification   weighted 10 000 × 0.1 = 1 000
 *   D2 open  EUR  3 333, proposal        weighted  3 333 × 0.5 = 1 666.5 → 1 667
 *   D3 open  EUR no amount, negotiation  counted, amount 0, weighted 0
 *   D4 open  USD  2 000, negotiation, forecast override "omitted" (the probability stays 0.8) → 1 600
 *   D5 won   EUR  7 000, closed 2026-01-15              → won
 *   D6 won   GBP  9 999, closed 2025-02-01 (> 365 days) → not counted: no GBP row at all
 *   D7 lost  EUR    500, closed 2025-06-01              → lost
 *   D8 open  EUR 1 000 000, deleted                     → not counted
 * Subsidiary:
 *   D9  open EUR 4 000, proposal → weighted 2 000
 *   D10 won  USD 1 200, closed 2025-12-01
 * Another company: D11 open EUR 50 → never counted.
 *
 * Group only:  EUR open 3 / 13 333, weighted 2 667, won 1 / 7 000, lost 1 / 500
 *              USD open 1 /  2 000, weighted 1 600, won 0 / 0,     lost 0 / 0
 * With tree:   EUR open 4 / 17 333, weighted 4 667, won 1 / 7 000, lost 1 / 500
 *              USD open 1 /  2 000, weighted 1 600, won 1 / 1 200, lost 0 / 0
 */
describe.each(availableDialects())('company summary: deals per currency on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'));
  });
  afterAll(() => database.close());

  const company = async (body: Record<string, unknown>) =>
    (await api.call({ method: 'POST', path: `${BASE}/companies`, body })).body.data.id as string;
  const deal = async (companyId: string, amount: Record<string, unknown> | null, extra: Record<string, unknown> = {}) => {
    const created = await api.call({
      method: 'POST',
      path: `${BASE}/deals`,
      body: { name: 'Summary deal', company_id: companyId, ...(amount && { amount }), ...extra },
    });
    expect(created.status).toBe(201);
    return created.body.data.id as string;
  };
  const post = async (id: string, command: string, body?: unknown) =>
    expect((await api.call({ method: 'POST', path: `${BASE}/deals/${id}/${command}`, body })).status).toBe(200);

  it('open count and amount, weighted amount, won and lost in the last 365 days, per currency; with the tree', async () => {
    const group = await company({ name: 'Deal Group' });
    const subsidiary = await company({ name: 'Deal Subsidiary', parent_company_id: group });
    const other = await company({ name: 'Other' });

    await deal(group, { amount_minor: 10_000 });
    await deal(group, { amount_minor: 3_333 }, { stage: 'proposal' });
    await deal(group, null, { stage: 'negotiation' });
    await deal(group, { amount_minor: 2_000, currency: 'USD' }, { stage: 'negotiation', forecast_category_override: 'omitted' });
    await post(await deal(group, { amount_minor: 7_000 }), 'win', { closed_at: '2026-01-15T00:00:00Z' });
    await post(await deal(group, { amount_minor: 9_999, currency: 'GBP' }), 'win', { closed_at: '2025-02-01T00:00:00Z' });
    await post(await deal(group, { amount_minor: 500 }), 'lose', { lost_reason: 'price', closed_at: '2025-06-01T00:00:00Z' });
    const deleted = await deal(group, { amount_minor: 1_000_000 });
    expect((await api.call({ method: 'DELETE', path: `${BASE}/deals/${deleted}` })).status).toBe(204);
    await deal(subsidiary, { amount_minor: 4_000 }, { stage: 'proposal' });
    await post(await deal(subsidiary, { amount_minor: 1_200, currency: 'USD' }), 'win', { closed_at: '2025-12-01T00:00:00Z' });
    await deal(other, { amount_minor: 50 });

    const own = await api.call({ method: 'GET', path: `${BASE}/companies/${group}/summary` });
    expect(own.status).toBe(200);
    expect(own.body.data.deals).toEqual([
      {
        currency: 'EUR',
        open_count: 3,
        open_amount_minor: 13_333,
        weighted_amount_minor: 2_667,
        won_count: 1,
        won_amount_minor: 7_000,
        lost_count: 1,
        lost_amount_minor: 500,
      },
      {
        currency: 'USD',
        open_count: 1,
        open_amount_minor: 2_000,
        weighted_amount_minor: 1_600,
        won_count: 0,
        won_amount_minor: 0,
        lost_count: 0,
        lost_amount_minor: 0,
      },
    ]);
    const tree = await api.call({ method: 'GET', path: `${BASE}/companies/${group}/summary?include_subsidiaries=true` });
    expect(tree.body.data).toMatchObject({ companies: 2, contacts: 0 });
    expect(tree.body.data.deals).toEqual([
      {
        currency: 'EUR',
        open_count: 4,
        open_amount_minor: 17_333,
        weighted_amount_minor: 4_667,
        won_count: 1,
        won_amount_minor: 7_000,
        lost_count: 1,
        lost_amount_minor: 500,
      },
      {
        currency: 'USD',
        open_count: 1,
        open_amount_minor: 2_000,
        weighted_amount_minor: 1_600,
        won_count: 1,
        won_amount_minor: 1_200,
        lost_count: 0,
        lost_amount_minor: 0,
      },
    ]);
    // The subsidiary alone: its own deals only.
    const child = await api.call({ method: 'GET', path: `${BASE}/companies/${subsidiary}/summary` });
    expect(
      child.body.data.deals.map((row: { currency: string; open_count: number; won_count: number }) => [
        row.currency,
        row.open_count,
        row.won_count,
      ]),
    ).toEqual([
      ['EUR', 1, 0],
      ['USD', 0, 1],
    ]);
  });
});
