import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../functions/db/migrate.js';
import { migrations } from '../../migrations/index.js';
import { up as mergeGaps } from '../../migrations/2026-11-29T02-00-00_merge-gaps.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const MIGRATION = '2026-11-29T02-00-00_merge-gaps';

/** Brings a database to the schema the previous release left: every migration before this one. */
async function migrateToPreviousRelease(db: Kysely<any>): Promise<void> {
  const previous = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < MIGRATION));
  const migrator = new Migrator({ db, provider: { getMigrations: async () => previous }, disableTransactions: true });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

const id = (n: number) => `019b6ec4-0000-7000-8000-${String(n).padStart(12, '0')}`;

/**
 * The merge-gaps migration on tables the previous release filled: there, nothing reserved a merged
 * loser's external id, so a live record may hold it too. The live record keeps it, the index is built.
 */
describe.each(availableDialects())('the merge-gaps migration on live tables, on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(dialect, { migrate: false });
    await migrateToPreviousRelease(database.db);
    const db = database.db;
    // Customers 1 (survivor) ← 2 (merged, shop-2, since taken by live 3); 4 (merged, shop-4, nobody else has it).
    for (const [n, externalId] of [
      [1, 'shop-1'],
      [2, 'shop-2'],
      [3, 'shop-2'],
      [4, 'shop-4'],
    ] as const) {
      await sql`insert into customer_mgmt_customers (id, name, email, external_id, created_at, updated_at, version)
        values (${id(n)}::uuid, ${`Customer ${n}`}, ${`c${n}@example.com`}, ${n === 3 ? null : externalId}, now(), now(), 1)`.execute(db);
    }
    await sql`update customer_mgmt_customers set deleted_at = now(), merged_into = ${id(1)}::uuid
      where id in (${id(2)}::uuid, ${id(4)}::uuid)`.execute(db);
    await sql`update customer_mgmt_customers set external_id = 'shop-2' where id = ${id(3)}::uuid`.execute(db);
    for (const [n, externalId] of [
      [11, 'crm-11'],
      [12, 'crm-12'],
      [13, 'crm-12'],
    ] as const) {
      await sql`insert into customer_mgmt_companies (id, name, external_id, created_at, updated_at)
        values (${id(n)}::uuid, ${`Company ${n}`}, ${n === 13 ? null : externalId}, now(), now())`.execute(db);
    }
    await sql`update customer_mgmt_companies set deleted_at = now(), merged_into = ${id(11)}::uuid where id = ${id(12)}::uuid`.execute(db);
    await sql`update customer_mgmt_companies set external_id = 'crm-12' where id = ${id(13)}::uuid`.execute(db);
    await migrateToLatest(db);
  }, 240_000);
  afterAll(() => database?.close());

  const externalIds = async (table: string) =>
    (
      await sql<{ id: string; external_id: string | null }>`
        select cast(id as text) as id, external_id from ${sql.table(table)} order by id`.execute(database.db)
    ).rows.map((row) => [row.id.slice(-2), row.external_id]);
  const refused = async (statement: ReturnType<typeof sql>) =>
    statement.execute(database.db).then(
      () => null,
      (error: Error) => String(error.message),
    );

  it('a merged loser keeps its external id unless a live record took it; then the live record keeps it', async () => {
    expect(await externalIds('customer_mgmt_customers')).toEqual([
      ['01', 'shop-1'],
      ['02', null],
      ['03', 'shop-2'],
      ['04', 'shop-4'],
    ]);
    expect(await externalIds('customer_mgmt_companies')).toEqual([
      ['11', 'crm-11'],
      ['12', null],
      ['13', 'crm-12'],
    ]);
  });

  it('rebuilds both unique indexes, valid and under their old names, over live and merged records', async () => {
    const { rows } = await sql<{ name: string; valid: boolean | string; definition: string }>`
      select c.relname as name, i.indisvalid as valid, pg_get_indexdef(i.indexrelid) as definition
      from pg_index i join pg_class c on c.oid = i.indexrelid
      where c.relname like 'idx_c%_external_id%' order by c.relname`.execute(database.db);
    expect(rows.map((row) => [row.name, String(row.valid)])).toEqual([
      ['idx_companies_external_id', 'true'],
      ['idx_customers_external_id', 'true'],
    ]);
    for (const row of rows) expect(row.definition).toMatch(/\(deleted_at IS NULL\) OR \(merged_into IS NOT NULL\)/);
    expect(await refused(sql`update customer_mgmt_customers set external_id = 'shop-4' where id = ${id(1)}::uuid`)).toMatch(
      /idx_customers_external_id/,
    );
    expect(await refused(sql`update customer_mgmt_companies set external_id = 'crm-11' where id = ${id(13)}::uuid`)).toMatch(
      /idx_companies_external_id/,
    );
  });

  it('running it again changes nothing', async () => {
    await mergeGaps(database.db as Kysely<any>);
    expect(await externalIds('customer_mgmt_customers')).toEqual([
      ['01', 'shop-1'],
      ['02', null],
      ['03', 'shop-2'],
      ['04', 'shop-4'],
    ]);
  });
});
