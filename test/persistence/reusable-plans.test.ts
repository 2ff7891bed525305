import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../domain/customer/create-customer.js';
import * as commands from '../../domain/customer/customer-commands.js';
import type { Database } from '../../functions/db/database.js';
import { migrateToLatest } from '../../functions/db/migrate.js';
import { openPostgresPool, type PostgresPool } from '../../functions/db/postgres-pool.js';
import { reusablePlan } from '../../functions/db/reusable-plans.js';
import { createCustomerRepository } from '../../functions/customers/customer-repository.js';
import { createOutbox } from '../../functions/events/outbox.js';
import { createScratchDatabase } from '../support/test-databases.js';

interface Prepared {
  statement: string;
  generic_plans: number;
  custom_plans: number;
}

/**
 * The write statements are planned once per connection on a PostgreSQL server (functions/db/reusable-plans.ts):
 * one connection, so pg_prepared_statements (which is per session) sees every statement the pool sent.
 */
describe.skipIf(!process.env.DATABASE_URL)('reusable plans on a PostgreSQL server', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let opened: PostgresPool;
  let db: Kysely<Database>;
  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.DATABASE_URL!);
    opened = await openPostgresPool({ databaseUrl: scratch.url, dataDir: 'memory://', maxConnections: 1 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened.pool }) });
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db.destroy();
    await opened.close();
    await scratch.drop();
  });

  async function prepared(containing: string): Promise<Prepared[]> {
    const { rows } = await sql<Prepared>`
      select statement, generic_plans::int, custom_plans::int from pg_prepared_statements
      where statement like ${`%${containing}%`} and statement not like '%pg_prepared_statements%'`.execute(db);
    return rows;
  }

  it('prepares a marked statement once and runs its generic plan after five custom ones; an unmarked one stays unnamed', async () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const { rows } = await sql<{ n: number }>`${reusablePlan}select ${n}::int as n, 'marked-probe' as probe`.execute(db);
      expect(rows).toEqual([{ n, probe: 'marked-probe' }]);
      await sql`select ${n}::int as n, 'unmarked-probe' as probe`.execute(db);
    }
    expect(await prepared('marked-probe')).toEqual([expect.objectContaining({ generic_plans: 3, custom_plans: 5 })]);
    expect(await prepared('unmarked-probe')).toEqual([]);
  });

  it('plans a customer create, its change, the acknowledgement of their events and the read by id once', async () => {
    const repository = createCustomerRepository(db);
    const outbox = createOutbox(db);
    for (let n = 0; n < 8; n++) {
      const created = createCustomer(
        { name: `Plan Probe ${n}`, email: `plan.${randomUUID().slice(0, 8)}@example.com`, ...(n === 1 && { phone: '+44 20 7946 0958' }) },
        { eventId: uuidv7(), now: '2026-01-01T00:00:00.000Z', actor: 'plan-test', customerId: uuidv7() },
      );
      if (!created.ok) throw new Error(created.error.message);
      expect(await repository.insert(created.value.customer, created.value.event)).toMatchObject({ kind: 'inserted' });
      const qualified = await repository.saveChange(created.value.customer.id, commands.transition('qualify', '2026-01-01T00:00:01.000Z'), {
        eventId: uuidv7(),
        now: '2026-01-01T00:00:01.000Z',
        actor: 'plan-test',
      });
      expect(qualified).toMatchObject({ kind: 'saved' });
      await outbox.markPublished([created.value.event.eventId], new Date());
      expect(await repository.findById(created.value.customer.id)).toMatchObject({ id: created.value.customer.id, status: 'prospect' });
    }
    // Eight executions of each: five custom plans, then the generic one (one text for each here).
    for (const statement of ['insert into "customer_mgmt_customers"', 'with old as', 'set published_at', 'as merged_to']) {
      expect(await prepared(statement), statement).toEqual([expect.objectContaining({ generic_plans: 3, custom_plans: 5 })]);
    }
    expect((await prepared('')).every((row) => row.statement.startsWith('/* reusable plan */'))).toBe(true);
  });

  it('a schema change under a prepared statement fails that statement once, then it is planned afresh', async () => {
    await sql`create table plan_probe (id int primary key)`.execute(db);
    await sql`insert into plan_probe values (1)`.execute(db);
    const read = () => sql<Record<string, unknown>>`${reusablePlan}select * from plan_probe where id = ${1}`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1 }]);
    await sql`alter table plan_probe add column note text default 'added'`.execute(db);
    await expect(read()).rejects.toThrow(/must not change result type/);
    expect((await read()).rows).toEqual([{ id: 1, note: 'added' }]);
    expect((await read()).rows).toEqual([{ id: 1, note: 'added' }]);
  });
});
