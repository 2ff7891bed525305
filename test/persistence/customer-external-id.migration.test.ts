import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../functions/db/migrate.js';
import { migrations } from '../../migrations/index.js';
import { up as customerExternalId } from '../../migrations/2026-11-28T22-00-00_customer-external-id.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const MIGRATION = '2026-11-28T22-00-00_customer-external-id';
const CUSTOMERS = 2_000;

/** Brings a database to the schema the previous release left: every migration before this one. */
async function migrateToPreviousRelease(db: Kysely<any>): Promise<void> {
  const previous = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < MIGRATION));
  const migrator = new Migrator({ db, provider: { getMigrations: async () => previous }, disableTransactions: true });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

describe.each(availableDialects())('the customer-external-id migration on a live customers table, on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(dialect, { migrate: false });
    await migrateToPreviousRelease(database.db);
    await sql`
      insert into customer_mgmt_customers (id, name, email, created_at, updated_at, version)
      select ('019b6ec4-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'Customer ' || n, 'c' || n || '@example.com', now(), now(), 1
      from generate_series(1, ${CUSTOMERS}) as n`.execute(database.db);
    await migrateToLatest(database.db);
  }, 240_000);
  afterAll(() => database?.close());

  const violation = async (statement: ReturnType<typeof sql>) => {
    try {
      await statement.execute(database.db);
      return null;
    } catch (error) {
      return String((error as Error).message);
    }
  };

  it('adds a nullable external_id (existing customers have none), a validated length check and a valid partial unique index', async () => {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from customer_mgmt_customers where external_id is null`.execute(
      database.db,
    );
    expect(Number(rows[0]!.n)).toBe(CUSTOMERS);
    const { rows: checks } = await sql<{ validated: boolean | string }>`
      select convalidated as validated from pg_constraint where conname = 'customer_mgmt_customers_external_id_length'`.execute(
      database.db,
    );
    expect(checks.map((check) => String(check.validated))).toEqual(['true']);
    const { rows: indexes } = await sql<{ valid: boolean | string; unique: boolean | string; definition: string }>`
      select i.indisvalid as valid, i.indisunique as unique, pg_get_indexdef(i.indexrelid) as definition
      from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'idx_customers_external_id'`.execute(database.db);
    expect(indexes).toHaveLength(1);
    expect([String(indexes[0]!.valid), String(indexes[0]!.unique)]).toEqual(['true', 'true']);
    // As the merge-gaps migration leaves it: a merged loser's external id stays reserved (docs/merge.md).
    expect(indexes[0]!.definition).toMatch(
      /\(external_id\) WHERE \(\(external_id IS NOT NULL\) AND \(\(deleted_at IS NULL\) OR \(merged_into IS NOT NULL\)\)\)/,
    );
  });

  it('enforces the rules: 1-200 characters, unique among live customers only, case counting', async () => {
    const first = '019b6ec4-0000-7000-8000-000000000001';
    const second = '019b6ec4-0000-7000-8000-000000000002';
    expect(await violation(sql`update customer_mgmt_customers set external_id = '' where id = ${first}::uuid`)).toMatch(
      /customer_mgmt_customers_external_id_length/,
    );
    expect(await violation(sql`update customer_mgmt_customers set external_id = ${'x'.repeat(201)} where id = ${first}::uuid`)).toMatch(
      /customer_mgmt_customers_external_id_length/,
    );
    expect(await violation(sql`update customer_mgmt_customers set external_id = 'shop-1' where id = ${first}::uuid`)).toBeNull();
    expect(await violation(sql`update customer_mgmt_customers set external_id = 'shop-1' where id = ${second}::uuid`)).toMatch(
      /idx_customers_external_id/,
    );
    expect(await violation(sql`update customer_mgmt_customers set external_id = 'SHOP-1' where id = ${second}::uuid`)).toBeNull();
    await sql`update customer_mgmt_customers set deleted_at = now() where id = ${first}::uuid`.execute(database.db);
    expect(await violation(sql`update customer_mgmt_customers set external_id = 'shop-1' where id = ${second}::uuid`)).toBeNull();
  });

  it('running it again changes nothing', async () => {
    await customerExternalId(database.db as Kysely<any>);
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from pg_constraint where conname = 'customer_mgmt_customers_external_id_length'`.execute(database.db);
    expect(Number(rows[0]!.n)).toBe(1);
  });
});
