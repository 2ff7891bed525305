import { sql, type Kysely } from 'kysely';

let counter = 0;

/**
 * Runs a statement that may fail with an expected error (a unique or check violation). Inside a
 * transaction a failed statement would abort the whole transaction, so there it runs under a
 * savepoint that is rolled back on failure; outside one it runs as is (no extra round trips).
 */
export async function expectingFailure<DB, T>(db: Kysely<DB>, statement: () => Promise<T>): Promise<T> {
  if (!db.isTransaction) return statement();
  const name = sql.id(`expected_failure_${++counter}`);
  await sql`savepoint ${name}`.execute(db);
  try {
    const result = await statement();
    await sql`release savepoint ${name}`.execute(db);
    return result;
  } catch (error) {
    await sql`rollback to savepoint ${name}`.execute(db);
    throw error;
  }
}
