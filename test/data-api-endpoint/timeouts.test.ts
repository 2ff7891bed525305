import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, failure, type Harness, sleep, startHarness } from './endpoint-harness.js';

describe.each(backends)('statement timeout on %s', (backend) => {
  let h: Harness;
  let table: string;
  beforeAll(async () => {
    h = await startHarness(backend, { statementTimeoutMs: 300 });
    table = h.table('slow');
    await h.execute(`CREATE TABLE ${table} (label text)`);
  });
  afterEach(() => h.execute(`DELETE FROM ${table}`));
  afterAll(() => h.close());

  const countOf = async (label: string): Promise<number> => {
    const result = await h.execute(`SELECT count(*)::int FROM ${table} WHERE label = :label`, {
      parameters: [{ name: 'label', value: { stringValue: label } }],
    });
    return result.records?.[0]?.[0]?.longValue ?? -1;
  };

  it('fails a statement running longer than the timeout with StatementTimeoutException', async () => {
    const error = await failure(h.execute('SELECT pg_sleep(0.8)'));
    expect(error.name).toBe('StatementTimeoutException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect((await h.execute('SELECT 1')).records).toEqual([[{ longValue: 1 }]]);
  });

  it('cancels the timed-out statement: its changes are not kept', async () => {
    const error = await failure(h.execute(`INSERT INTO ${table} SELECT 'cancelled' FROM pg_sleep(0.8)`));
    expect(error.name).toBe('StatementTimeoutException');
    await sleep(800);
    expect(await countOf('cancelled')).toBe(0);
  });

  it('lets the statement finish when continueAfterTimeout is set, though the call still times out', async () => {
    const started = performance.now();
    const error = await failure(h.execute(`INSERT INTO ${table} SELECT 'continued' FROM pg_sleep(0.8)`, { continueAfterTimeout: true }));
    expect(error.name).toBe('StatementTimeoutException');
    // on a server the call answers at the timeout while the statement runs on (PGlite runs it to the end first)
    if (backend === 'postgres') expect(performance.now() - started).toBeLessThan(700);
    let rows = 0;
    for (let attempt = 0; attempt < 40 && rows === 0; attempt++) {
      rows = await countOf('continued');
      if (rows === 0) await sleep(100);
    }
    expect(rows).toBe(1);
  });

  it('leaves a transaction failed after one of its statements timed out', async () => {
    const transactionId = await h.begin();
    const error = await failure(h.execute(`INSERT INTO ${table} SELECT 'in-tx' FROM pg_sleep(0.8)`, { transactionId }));
    expect(error.name).toBe('StatementTimeoutException');
    const next = await failure(h.execute('SELECT 1', { transactionId }));
    expect(next.message).toMatch(/^ERROR: current transaction is aborted/);
    expect(await h.rollback(transactionId)).toBe('Rollback Complete');
    expect(await countOf('in-tx')).toBe(0);
  });

  it('times out a batch on its total time (each statement under the limit) and keeps none of it', async () => {
    const error = await failure(
      h.batch(`INSERT INTO ${table} SELECT :label FROM pg_sleep(0.2)`, {
        parameterSets: [1, 2, 3].map(() => [{ name: 'label', value: { stringValue: 'batch' } }]),
      }),
    );
    expect(error.name).toBe('StatementTimeoutException');
    expect(await countOf('batch')).toBe(0);
  });
});
