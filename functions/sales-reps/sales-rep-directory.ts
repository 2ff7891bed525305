import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';

import type { Timestamp } from '../db/column-types.js';
export interface SalesRepsTable {
  user_id: string;
  name: string | null;
  email: string | null;
  active: boolean;
  updated_at: Timestamp;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_sales_reps: SalesRepsTable;
  }
}

const TABLE = 'customer_mgmt_sales_reps';

/** Whether `userId` (bound SQL) is not an active sales rep, for a write statement to check in itself. */
export function notAnActiveSalesRep(userId: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`not exists (select 1 from ${sql.table(TABLE)} as rep where rep.user_id = ${userId} and rep.active)`;
}

/** The sales reps Identity has told us about; customers may be assigned only to active ones. */
export function createSalesRepDirectory(db: Kysely<Database>) {
  return {
    async isActive(userId: string): Promise<boolean> {
      const row = await db.selectFrom(TABLE).select('active').where('user_id', '=', param.uuid(userId)).executeTakeFirst();
      return row?.active === true;
    },

    async upsert(rep: {
      userId: string;
      active: boolean;
      name?: string | undefined;
      email?: string | undefined;
      at: string;
    }): Promise<void> {
      await db
        .insertInto(TABLE)
        .values({
          user_id: param.uuid(rep.userId),
          active: rep.active,
          name: rep.name ?? null,
          email: rep.email ?? null,
          updated_at: param.timestamptz(rep.at),
        })
        .onConflict((conflict) =>
          conflict.column('user_id').doUpdateSet((eb) => ({
            active: eb.ref('excluded.active'),
            name: eb.fn.coalesce('excluded.name', `${TABLE}.name`),
            email: eb.fn.coalesce('excluded.email', `${TABLE}.email`),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    },

    async deactivate(userId: string, at: string): Promise<void> {
      await db
        .updateTable(TABLE)
        .set({ active: false, updated_at: param.timestamptz(at) })
        .where('user_id', '=', param.uuid(userId))
        .execute();
    },
  };
}

export type SalesRepDirectory = ReturnType<typeof createSalesRepDirectory>;
