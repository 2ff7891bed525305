import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, failure, type Harness, sleep, startHarness } from './endpoint-harness.js';

const count = async (h: Harness, table: string, transactionId?: string): Promise<number> => {
  const result = await h.execute(`SELECT count(*)::int AS n FROM ${table}`, transactionId ? { transactionId } : {});
  return result.records?.[0]?.[0]?.longValue ?? -1;
};

describe.each(backends)('transactions on %s', (backend) => {
  let h: Harness;
  let table: string;
  beforeAll(async () => {
    // one connection, as behind PGlite, so waiting for the connection is exercised on both backends
    h = await startHarness(backend, { maxConnections: 1, transactionIdleTimeoutMs: 400 });
    table = h.table('accounts');
    await h.execute(`CREATE TABLE ${table} (id int PRIMARY KEY, owner text)`);
  });
  afterEach(() => h.execute(`DELETE FROM ${table}`));
  afterAll(() => h.close());

  it('commits: BeginTransaction gives an id, CommitTransaction answers "Transaction Committed"', async () => {
    const transactionId = await h.begin();
    expect(typeof transactionId).toBe('string');
    await h.execute(`INSERT INTO ${table} VALUES (1, 'a')`, { transactionId });
    expect(await count(h, table, transactionId)).toBe(1);
    expect(await h.commit(transactionId)).toBe('Transaction Committed');
    expect(await count(h, table)).toBe(1);
  });

  it('rolls back: RollbackTransaction answers "Rollback Complete" and nothing stays', async () => {
    const transactionId = await h.begin();
    await h.execute(`INSERT INTO ${table} VALUES (2, 'b')`, { transactionId });
    expect(await h.rollback(transactionId)).toBe('Rollback Complete');
    expect(await count(h, table)).toBe(0);
  });

  it('does not know a transaction that was never begun or already ended', async () => {
    const unknown = await failure(h.execute('SELECT 1', { transactionId: 'no-such-transaction' }));
    expect(unknown.name).toBe('TransactionNotFoundException');
    expect(unknown.$metadata?.httpStatusCode).toBe(404);
    expect(unknown.message).toBe('Transaction no-such-transaction is not found');

    const transactionId = await h.begin();
    await h.commit(transactionId);
    for (const call of [h.execute('SELECT 1', { transactionId }), h.commit(transactionId), h.rollback(transactionId)]) {
      const error = await failure(call);
      expect(error.name).toBe('TransactionNotFoundException');
      expect(error.message).toBe(`Transaction ${transactionId} is not found`);
    }
  });

  it('rolls back and forgets a transaction left idle for the idle timeout', async () => {
    const transactionId = await h.begin();
    await h.execute(`INSERT INTO ${table} VALUES (3, 'c')`, { transactionId });
    await sleep(250);
    await h.execute('SELECT 1', { transactionId }); // a call restarts the idle clock
    await sleep(250);
    await h.execute('SELECT 1', { transactionId });
    await sleep(700);
    const error = await failure(h.execute('SELECT 1', { transactionId }));
    expect(error.name).toBe('TransactionNotFoundException');
    expect(await count(h, table)).toBe(0); // rolled back, and the connection was given back
  });

  it('makes a statement outside the transaction wait for the connection instead of failing', async () => {
    const transactionId = await h.begin();
    await h.execute(`INSERT INTO ${table} VALUES (4, 'd')`, { transactionId });
    let settled = false;
    const outside = h.execute(`SELECT count(*)::int FROM ${table}`).finally(() => {
      settled = true;
    });
    await sleep(150);
    expect(settled).toBe(false);
    await h.commit(transactionId);
    expect((await outside).records).toEqual([[{ longValue: 1 }]]);
  });

  it('does not let a BEGIN sent as SQL leave an open transaction on the pooled connection', async () => {
    await h.execute('BEGIN');
    const error = await failure(h.execute('SAVEPOINT probe'));
    expect(error.message).toBe('ERROR: SAVEPOINT can only be used in transaction blocks; SQLState: 25P01');
  });

  it('keeps a transaction failed after an error until it is rolled back', async () => {
    const transactionId = await h.begin();
    await h.execute(`INSERT INTO ${table} VALUES (5, 'e')`, { transactionId });
    const duplicate = await failure(h.execute(`INSERT INTO ${table} VALUES (5, 'e')`, { transactionId }));
    expect(duplicate.name).toBe('DatabaseErrorException');
    const aborted = await failure(h.execute('SELECT 1', { transactionId }));
    expect(aborted.name).toBe('DatabaseErrorException');
    expect(aborted.message).toBe('ERROR: current transaction is aborted, commands ignored until end of transaction block; SQLState: 25P02');
    expect(await h.rollback(transactionId)).toBe('Rollback Complete');
    expect(await count(h, table)).toBe(0);
  });

  it('ends a transaction whose response is too large', async () => {
    const transactionId = await h.begin();
    const error = await failure(h.execute(`SELECT repeat('x', 1100000)`, { transactionId }));
    expect(error.message).toBe('Database returned more than the allowed response size limit');
    expect((await failure(h.execute('SELECT 1', { transactionId }))).name).toBe('TransactionNotFoundException');
  });

  // PGlite runs a statement synchronously, so no second call can arrive meanwhile; the registry's
  // own test covers the rule there.
  it.skipIf(backend === 'pglite')('refuses a second statement while the transaction is still running one', async () => {
    const transactionId = await h.begin();
    const slow = h.execute('SELECT pg_sleep(0.5)', { transactionId });
    await sleep(100);
    const second = await failure(h.execute('SELECT 1', { transactionId }));
    expect(second.name).toBe('DatabaseErrorException');
    expect(second.message).toBe('Transaction is still running a query');
    const commit = await failure(h.commit(transactionId));
    expect(commit.message).toBe('Transaction is still running a query');
    await slow;
    expect(await h.commit(transactionId)).toBe('Transaction Committed');
  });

  describe('BatchExecuteStatement', () => {
    let table: string;
    beforeAll(async () => {
      table = h.table('batch');
      await h.execute(`CREATE TABLE ${table} (id int PRIMARY KEY, name text)`);
    });
    afterEach(() => h.execute(`DELETE FROM ${table}`));

    const sets = (...rows: [number, string][]) =>
      rows.map(([id, name]) => [
        { name: 'id', value: { longValue: id } },
        { name: 'name', value: { stringValue: name } },
      ]);

    it('runs the statement once per parameter set', async () => {
      const result = await h.batch(`INSERT INTO ${table} (id, name) VALUES (:id, :name)`, {
        parameterSets: sets([1, 'one'], [2, 'two'], [3, 'three']),
      });
      expect(result.updateResults).toEqual([{ generatedFields: [] }, { generatedFields: [] }, { generatedFields: [] }]);
      const rows = await h.execute(`SELECT id, name FROM ${table} ORDER BY id`);
      expect(rows.records?.map((row) => row[1]?.stringValue)).toEqual(['one', 'two', 'three']);
    });

    it('runs all sets in one implicit transaction: one failure keeps none', async () => {
      const error = await failure(
        h.batch(`INSERT INTO ${table} (id, name) VALUES (:id, :name)`, { parameterSets: sets([1, 'one'], [1, 'again']) }),
      );
      expect(error.name).toBe('DatabaseErrorException');
      expect(error.message).toMatch(/duplicate key value violates unique constraint/);
      expect(await count(h, table)).toBe(0);
    });

    it('runs inside a given transaction', async () => {
      const transactionId = await h.begin();
      await h.batch(`INSERT INTO ${table} (id, name) VALUES (:id, :name)`, { transactionId, parameterSets: sets([7, 'x']) });
      expect(await count(h, table, transactionId)).toBe(1);
      await h.rollback(transactionId);
      expect(await count(h, table)).toBe(0);
    });

    it('refuses several statements', async () => {
      const error = await failure(h.batch(`DELETE FROM ${table}; DELETE FROM ${table}`));
      expect(error.name).toBe('ValidationException');
      expect(error.message).toBe("Multistatements aren't supported.");
    });
  });
});
