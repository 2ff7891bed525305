import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { undeliveredInStream } from '../../functions/events/stream-backlog.js';
import { openTestDatabase, type DialectName, type TestDatabase } from '../support/test-databases.js';

const DELIVERED = 30_000;
const BACKLOG = 3_000;
const STREAM = '00000000-0000-7000-8000-00000000b10c';

const dialects: DialectName[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * A write claims its new event only when its stream has no earlier undelivered one. During an
 * EventBridge outage the backlog grows while the table's statistics still say it is empty (a large
 * table is analyzed only after a tenth of it changed); the check must still read one stream's
 * entries, not the whole backlog. Seeded that way here: delivered events, ANALYZE, then a backlog of
 * undelivered events of other streams that the statistics have not seen.
 */
describe.each(dialects)('the undelivered-in-stream check with stale statistics on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    const events = (published: string, count: number) => sql`
      insert into customer_mgmt_events (event_id, event_type, event_version, occurred_at, actor, data, published_at, aggregate_type, aggregate_id, aggregate_version)
      select gen_random_uuid(), 'CompanyUpdated', 1, now(), 'seed', '{}'::jsonb, ${sql.raw(published)}, 'company', gen_random_uuid(), 1
      from generate_series(1, ${count})`;
    await events('now()', DELIVERED).execute(database.db);
    await sql`analyze customer_mgmt_events`.execute(database.db);
    await events('null', BACKLOG).execute(database.db);
  }, 120_000);
  afterAll(() => database.close());

  async function plan(check: RawBuilder<boolean>): Promise<string> {
    const { rows } = await sql<Record<string, string>>`explain (analyze, costs off, timing off, summary off) select ${check}`.execute(
      database.db,
    );
    return rows.map((row) => Object.values(row)[0]).join('\n');
  }

  it('the old spelling reads the whole backlog through the relay index (the setup reproduces the outage)', async () => {
    const old = await plan(sql<boolean>`exists (
      select 1 from customer_mgmt_events earlier
      where earlier.aggregate_type = 'company' and earlier.aggregate_id = ${STREAM}::uuid
        and earlier.published_at is null and earlier.parked_at is null)`);
    expect(old).toContain('idx_events_unpublished');
    expect(old).toContain(`Rows Removed by Filter: ${BACKLOG}`);
  });

  it("the check reads only the stream's entries", async () => {
    const checked = await plan(undeliveredInStream('company', sql`${STREAM}::uuid`));
    expect(checked).toContain('idx_events_pending_stream');
    expect(checked).not.toContain('idx_events_unpublished');
    expect(checked).not.toContain('Rows Removed by Filter');
  });

  it('answers whether the stream has an undelivered event', async () => {
    const answer = async (id: string) =>
      (await sql<{ pending: boolean }>`select ${undeliveredInStream('company', sql`${id}::uuid`)} as pending`.execute(database.db)).rows[0]!
        .pending;
    expect(await answer(STREAM)).toBe(false);
    await sql`
      insert into customer_mgmt_events (event_id, event_type, event_version, occurred_at, actor, data, aggregate_type, aggregate_id, aggregate_version)
      values (gen_random_uuid(), 'CompanyUpdated', 1, now(), 'test', '{}'::jsonb, 'company', ${STREAM}::uuid, 1)`.execute(database.db);
    expect(await answer(STREAM)).toBe(true);
    await sql`update customer_mgmt_events set parked_at = now() where aggregate_id = ${STREAM}::uuid`.execute(database.db);
    expect(await answer(STREAM)).toBe(false);
  });
});
