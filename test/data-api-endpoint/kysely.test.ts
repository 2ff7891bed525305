import { RDSData } from '@aws-sdk/client-rds-data';
import { type Generated, Kysely, sql } from 'kysely';
import { DataApiDialect } from 'kysely-data-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARNS, backends, clientConfig, type Harness, startHarness } from './endpoint-harness.js';

interface Database {
  notes: { id: Generated<string>; title: string; created_at: Date; pinned: Generated<boolean> };
}

describe.each(backends)('kysely-data-api on %s', (backend) => {
  let h: Harness;
  let db: Kysely<Database>;
  beforeAll(async () => {
    h = await startHarness(backend);
    await h.execute(`CREATE TABLE ${h.table('notes')} (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(), title text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), pinned boolean NOT NULL DEFAULT false)`);
    db = new Kysely<Database>({
      dialect: new DataApiDialect({
        mode: 'postgres',
        driver: {
          client: new RDSData(clientConfig(h.endpoint.url)),
          database: 'postgres',
          secretArn: ARNS.secretArn,
          resourceArn: ARNS.resourceArn,
        },
      }),
    }).withSchema(h.schema);
  });
  afterAll(async () => {
    await db.destroy();
    await h.close();
  });

  it('inserts, then selects with a parameter, decoding types from the column metadata', async () => {
    const createdAt = new Date('2024-05-01T12:34:56.789Z');
    const inserted = await db
      .insertInto('notes')
      .values({ title: 'first', created_at: createdAt, pinned: true })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    expect(inserted.id).toMatch(/^[0-9a-f-]{36}$/);
    await db.insertInto('notes').values({ title: 'second', created_at: createdAt }).execute();

    const found = await db.selectFrom('notes').selectAll().where('title', '=', 'first').execute();
    expect(found).toEqual([{ id: inserted.id, title: 'first', created_at: createdAt, pinned: true }]);
  });

  it('rolls back a transaction that throws', async () => {
    const before = await db
      .selectFrom('notes')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ title: 'doomed', created_at: new Date() }).execute();
        const inside = await trx.selectFrom('notes').select('title').where('title', '=', 'doomed').execute();
        expect(inside).toEqual([{ title: 'doomed' }]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const after = await db
      .selectFrom('notes')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(h.endpoint.callsByOperation().RollbackTransaction).toBe(1);
  });
});
