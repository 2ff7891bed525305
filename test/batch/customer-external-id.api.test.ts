import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

/** POST /customers/batch/upsert with match_on external_id: the key normalised like idx_customers_external_id (trimmed, case counts). */
describe.each(availableDialects())('customer batch upsert by external_id on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const REP = randomUUID();
  const OTHER_REP = randomUUID();
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-04-02T09:00:00.000Z'));
    await api.registerSalesRep(REP);
    await api.registerSalesRep(OTHER_REP);
  });
  afterAll(() => database.close());

  const tag = () => randomUUID().slice(0, 8);
  const upsert = (inputs: unknown[], claims?: Record<string, string>, query = '') =>
    api.call({
      method: 'POST',
      path: `${BASE}/customers/batch/upsert${query}`,
      body: { match_on: 'external_id', inputs },
      ...(claims && { claims }),
    });
  const withoutRecords = (body: any) => body.data.results.map(({ record: _record, ...rest }: any) => rest);
  const countWith = async (externalId: string) =>
    Number(
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from customer_mgmt_customers where external_id = ${externalId} and deleted_at is null`.execute(
          database.db,
        )
      ).rows[0]!.n,
    );

  it('updates the holder of the (trimmed) external_id, creates when none holds it; case counts', async () => {
    const t = tag();
    const holder = (
      await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: { name: 'Holder', email: `h.${t}@example.com`, external_id: `ext-${t}` },
      })
    ).body.data;
    const answer = await upsert([
      { name: 'Renamed', email: `h.${t}@example.com`, external_id: `  ext-${t}  ` },
      { name: 'Upper', email: `u.${t}@example.com`, external_id: `EXT-${t}` },
    ]);
    expect(answer.status).toBe(200);
    expect(withoutRecords(answer.body)).toEqual([
      { index: 0, status: 'updated', id: holder.id, version: 2 },
      { index: 1, status: 'created', id: expect.any(String), version: 1 },
    ]);
    expect(answer.body.data.results[1].record).toMatchObject({ external_id: `EXT-${t}`, email: `u.${t}@example.com`, status: 'lead' });
    // The same input again changes nothing.
    const again = await upsert([{ name: 'Renamed', email: `h.${t}@example.com`, external_id: `ext-${t}` }]);
    expect(withoutRecords(again.body)).toEqual([{ index: 0, status: 'unchanged', id: holder.id, version: 2 }]);
  });

  it('an input without the key, or with a blank one, is a VALIDATION_FAILED of that input only', async () => {
    const t = tag();
    const answer = await upsert([
      { name: 'No key', email: `nokey.${t}@example.com` },
      { name: 'Blank', email: `blank.${t}@example.com`, external_id: '   ' },
      { name: 'Fine', email: `fine.${t}@example.com`, external_id: `fine-${t}` },
    ]);
    expect(answer.status).toBe(207);
    expect(answer.body.data.results.map((result: any) => result.error?.details?.fields?.[0] ?? result.status)).toEqual([
      { field: 'inputs[0].external_id', message: 'is required to match on external_id' },
      { field: 'inputs[1].external_id', message: 'external_id cannot be blank; send null to clear it' },
      'created',
    ]);
  });

  it('two inputs with one external_id (after trimming) are both BATCH.DUPLICATE_TARGET; nothing is written for them', async () => {
    const t = tag();
    const answer = await upsert([
      { name: 'One', email: `one.${t}@example.com`, external_id: `dup-${t}` },
      { name: 'Other', email: `other.${t}@example.com`, external_id: `other-${t}` },
      { name: 'Two', email: `two.${t}@example.com`, external_id: ` dup-${t} ` },
    ]);
    expect(answer.status).toBe(207);
    expect(answer.body.data.results.map((result: any) => result.error?.code ?? result.status)).toEqual([
      'BATCH.DUPLICATE_TARGET',
      'created',
      'BATCH.DUPLICATE_TARGET',
    ]);
    expect(answer.body.data.results[0].error.details).toEqual({ target: `external_id:dup-${t}`, indexes: [0, 2] });
    expect(await countWith(`dup-${t}`)).toBe(0);
    // In a batch create too: two new customers cannot share the key.
    const created = await api.call({
      method: 'POST',
      path: `${BASE}/customers/batch/create`,
      body: {
        inputs: [
          { name: 'A', email: `ca.${t}@example.com`, external_id: `same-${t}` },
          { name: 'B', email: `cb.${t}@example.com`, external_id: `same-${t} ` },
        ],
      },
    });
    expect(created.body.data.results.map((result: any) => result.error?.code)).toEqual([
      'BATCH.DUPLICATE_TARGET',
      'BATCH.DUPLICATE_TARGET',
    ]);
  });

  it('a key held by another customer through another input field is EXTERNAL_ID_TAKEN for that input (batch update)', async () => {
    const t = tag();
    const [a, b] = [
      (
        await api.call({
          method: 'POST',
          path: `${BASE}/customers`,
          body: { name: 'A', email: `ta.${t}@example.com`, external_id: `a-${t}` },
        })
      ).body.data,
      (await api.call({ method: 'POST', path: `${BASE}/customers`, body: { name: 'B', email: `tb.${t}@example.com` } })).body.data,
    ];
    const answer = await api.call({
      method: 'POST',
      path: `${BASE}/customers/batch/update`,
      body: { inputs: [{ id: b.id, external_id: `a-${t}` }] },
    });
    expect(answer.body.data.results[0]).toMatchObject({
      status: 'error',
      error: { code: 'CUSTOMER.EXTERNAL_ID_TAKEN', details: { field: 'external_id', existing_customer_id: a.id } },
    });
  });

  it('a sales rep’s upsert never finds another rep’s customer: EXTERNAL_ID_TAKEN without naming it', async () => {
    const t = tag();
    await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: { name: 'Theirs', email: `theirs.${t}@example.com`, external_id: `rep-${t}` },
      claims: claimsFor(['sales_rep'], OTHER_REP),
    });
    const answer = await upsert([{ name: 'Mine', email: `mine.${t}@example.com`, external_id: `rep-${t}` }], claimsFor(['sales_rep'], REP));
    expect(answer.body.data.results[0]).toMatchObject({ status: 'error', error: { code: 'CUSTOMER.EXTERNAL_ID_TAKEN' } });
    expect(answer.body.data.results[0].error.details.existing_customer_id).toBeUndefined();
    expect(await countWith(`rep-${t}`)).toBe(1);
  });

  it('concurrent upserts of the same new external_ids create each customer once; the loser updates it', async () => {
    const t = tag();
    const keys = Array.from({ length: 6 }, (_, index) => `race-${index}-${t}`);
    const run = (name: string) => upsert(keys.map((key, index) => ({ name, email: `race${index}.${t}@example.com`, external_id: key })));
    const names = ['Left', 'Right', 'Middle'];
    const answers = await Promise.all(names.map(run));
    for (const answer of answers) expect([answer.status, answer.body.data.counts.error]).toEqual([200, 0]);
    // No input is lost: whoever did not create a customer updated it with its own name (a loser of the race too).
    answers.forEach((answer, index) => {
      for (const result of answer.body.data.results) {
        expect([result.status === 'created' ? 'updated' : result.status, result.record.name]).toEqual(['updated', names[index]]);
      }
    });
    for (const key of keys) expect(await countWith(key)).toBe(1);
    const statuses = answers.flatMap((answer) => answer.body.data.results.map((result: any) => result.status));
    expect(statuses.filter((status) => status === 'created')).toHaveLength(keys.length);
    const ids = answers[0]!.body.data.results.map((result: any) => result.id);
    for (const answer of answers.slice(1)) expect(answer.body.data.results.map((result: any) => result.id)).toEqual(ids);
  });
});
