import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../functions/db/migrate.js';
import { migrations } from '../../migrations/index.js';
import { up as eventStreams } from '../../migrations/2026-11-28T01-00-00_event-streams.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const STREAMS_MIGRATION = '2026-11-28T01-00-00_event-streams';
const CUSTOMERS = 300;
const EVENTS_PER_CUSTOMER = 40; // 12,000 events: more than one backfill batch

/** Brings a database to the schema the previous release left: every migration before event streams. */
async function migrateToPreviousRelease(db: Kysely<any>): Promise<void> {
  const previous = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < STREAMS_MIGRATION));
  const migrator = new Migrator({ db, provider: { getMigrations: async () => previous }, disableTransactions: true });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

/** Fills the log the way the previous release wrote it: customer_id and customer_version only. */
async function fillAsPreviousRelease(db: Kysely<any>): Promise<void> {
  await sql`
    insert into customer_mgmt_customers (id, name, email, created_at, updated_at, version)
    select ('019b6ec4-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'Customer ' || n, 'c' || n || '@example.com', now(), now(), ${EVENTS_PER_CUSTOMER}
    from generate_series(1, ${CUSTOMERS}) as n`.execute(db);
  await sql`
    insert into customer_mgmt_events (event_id, customer_id, customer_version, event_type, event_version, occurred_at, actor, data, published_at)
    select gen_random_uuid(), c.id, v, case when v = 1 then 'CustomerCreated' else 'CustomerTierChanged' end, 1, now(), 'migration-test', '{}'::jsonb,
           case when v < ${EVENTS_PER_CUSTOMER} then now() end
    from customer_mgmt_customers c cross join generate_series(1, ${EVENTS_PER_CUSTOMER}) as v`.execute(db);
}

describe.each(availableDialects())('the event-streams migration on a database of the previous release, on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(dialect, { migrate: false });
    await migrateToPreviousRelease(database.db);
    await fillAsPreviousRelease(database.db);
    await migrateToLatest(database.db);
  }, 240_000);
  afterAll(() => database?.close());

  it('gives every existing event its stream, equal to its customer and version', async () => {
    const { rows } = await sql<{ total: string | number; matching: string | number }>`
      select count(*) as total,
             count(*) filter (where aggregate_type = 'customer' and aggregate_id = customer_id and aggregate_version = customer_version) as matching
      from customer_mgmt_events`.execute(database.db);
    expect(Number(rows[0]!.total)).toBe(CUSTOMERS * EVENTS_PER_CUSTOMER);
    expect(Number(rows[0]!.matching)).toBe(CUSTOMERS * EVENTS_PER_CUSTOMER);
  });

  it('leaves the stream columns not null and unique per stream, behind a valid index', async () => {
    const { rows: columns } = await sql<{ column_name: string; is_nullable: string }>`
      select column_name, is_nullable from information_schema.columns
      where table_name = 'customer_mgmt_events' and column_name like 'aggregate_%' order by column_name`.execute(database.db);
    expect(columns).toEqual([
      { column_name: 'aggregate_id', is_nullable: 'NO' },
      { column_name: 'aggregate_type', is_nullable: 'NO' },
      { column_name: 'aggregate_version', is_nullable: 'NO' },
    ]);
    const { rows: index } = await sql<{ valid: boolean; unique: boolean }>`
      select i.indisvalid as valid, i.indisunique as unique from pg_index i join pg_class c on c.oid = i.indexrelid
      where c.relname = 'idx_events_stream'`.execute(database.db);
    expect(index).toEqual([{ valid: true, unique: true }]);
    const duplicate = sql`
      insert into customer_mgmt_events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data)
      values (gen_random_uuid(), 'company', '019b6ec4-0000-7000-8000-00000000c001', 1, 'CompanyCreated', 1, now(), 'test', '{}'::jsonb)`;
    await duplicate.execute(database.db);
    await expect(duplicate.execute(database.db)).rejects.toThrow(/duplicate key|23505/);
  });

  it('keeps a writer of the previous release and a writer of this one in step while both run', async () => {
    const customer = '019b6ec4-0000-7000-8000-000000000001';
    await sql`
      insert into customer_mgmt_events (event_id, customer_id, customer_version, event_type, event_version, occurred_at, actor, data)
      values (gen_random_uuid(), ${customer}::uuid, ${EVENTS_PER_CUSTOMER + 1}, 'CustomerTierChanged', 1, now(), 'old-writer', '{}'::jsonb)`.execute(
      database.db,
    );
    await sql`
      insert into customer_mgmt_events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data)
      values (gen_random_uuid(), 'customer', ${customer}::uuid, ${EVENTS_PER_CUSTOMER + 2}, 'CustomerTierChanged', 1, now(), 'new-writer', '{}'::jsonb)`.execute(
      database.db,
    );
    const { rows } = await sql<{ actor: string; aggregate_type: string; aggregate_version: number; customer_version: number }>`
      select actor, aggregate_type, aggregate_version, customer_version from customer_mgmt_events
      where actor in ('old-writer', 'new-writer') order by aggregate_version`.execute(database.db);
    expect(
      rows.map((row) => ({ ...row, aggregate_version: Number(row.aggregate_version), customer_version: Number(row.customer_version) })),
    ).toEqual([
      {
        actor: 'old-writer',
        aggregate_type: 'customer',
        aggregate_version: EVENTS_PER_CUSTOMER + 1,
        customer_version: EVENTS_PER_CUSTOMER + 1,
      },
      {
        actor: 'new-writer',
        aggregate_type: 'customer',
        aggregate_version: EVENTS_PER_CUSTOMER + 2,
        customer_version: EVENTS_PER_CUSTOMER + 2,
      },
    ]);
  });

  it('can run again after an interrupted deploy without harm', async () => {
    await eventStreams(database.db as Kysely<any>);
    const { rows } = await sql<{
      total: string | number;
    }>`select count(*) as total from customer_mgmt_events where aggregate_id is null`.execute(database.db);
    expect(Number(rows[0]!.total)).toBe(0);
  });
});
