import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { fromJsonb, param } from '../db/sql-values.js';

import type { Jsonb, Timestamp } from '../db/column-types.js';
export interface IdempotencyKeysTable {
  caller: string;
  key: string;
  fingerprint: string;
  state: 'in_progress' | 'completed';
  response: Jsonb<Record<string, unknown>> | null;
  created_at: Timestamp;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_idempotency_keys: IdempotencyKeysTable;
  }
}

/** A response as stored under a key and replayed to a retry. */
export interface StoredResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body?: string | undefined;
}

/** How long a key and its stored response are kept. */
export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
// A request still "in progress" after this long died with its Lambda (API Gateway gives up at
// 30 s), so its key may be claimed again.
export const ABANDONED_AFTER_MS = 60 * 1000;

export interface KeyClaim {
  readonly caller: string;
  readonly key: string;
  /** Hash of the request the key was first used with. */
  readonly fingerprint: string;
  readonly now: Date;
}

export type ClaimOutcome =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'fingerprint_mismatch' }
  | { readonly kind: 'in_progress' };

const TABLE = 'customer_mgmt_idempotency_keys';

/** Stores the first response per (caller, Idempotency-Key) so retries get it back instead of acting twice. */
export function createIdempotencyStore(db: Kysely<Database>) {
  /** Claims the key atomically: a fresh, expired or abandoned key is taken; otherwise says why not. */
  async function claim({ caller, key, fingerprint, now }: KeyClaim): Promise<ClaimOutcome> {
    const expiredBefore = new Date(now.getTime() - KEY_LIFETIME_MS).toISOString();
    const abandonedBefore = new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString();
    const claimed = await db
      .insertInto(TABLE)
      .values({ caller, key, fingerprint, state: 'in_progress', response: null, created_at: param.timestamptz(now.toISOString()) })
      .onConflict((conflict) =>
        conflict
          .columns(['caller', 'key'])
          .doUpdateSet({
            fingerprint: (eb) => eb.ref('excluded.fingerprint'),
            state: 'in_progress',
            response: null,
            created_at: (eb) => eb.ref('excluded.created_at'),
          })
          .where((eb) =>
            eb.or([
              eb(`${TABLE}.created_at`, '<', param.timestamptz(expiredBefore)),
              eb.and([eb(`${TABLE}.state`, '=', 'in_progress'), eb(`${TABLE}.created_at`, '<', param.timestamptz(abandonedBefore))]),
            ]),
          ),
      )
      .returning(sql<number>`1`.as('claimed'))
      .executeTakeFirst();
    if (claimed) return { kind: 'claimed' };

    const existing = await db.selectFrom(TABLE).selectAll().where('caller', '=', caller).where('key', '=', key).executeTakeFirst();
    // Released between our insert and this read: try again.
    if (!existing) return claim({ caller, key, fingerprint, now });
    if (existing.fingerprint !== fingerprint) return { kind: 'fingerprint_mismatch' };
    if (existing.state === 'in_progress' || existing.response === null) return { kind: 'in_progress' };
    return { kind: 'replay', response: fromJsonb(existing.response) as unknown as StoredResponse };
  }

  return {
    claim,

    async complete(caller: string, key: string, response: StoredResponse): Promise<void> {
      await db
        .updateTable(TABLE)
        .set({ state: 'completed', response: param.jsonb(response) })
        .where('caller', '=', caller)
        .where('key', '=', key)
        .execute();
    },

    /** Forgets a claim whose request failed unexpectedly, so the client's retry runs afresh. */
    async release(caller: string, key: string): Promise<void> {
      await db.deleteFrom(TABLE).where('caller', '=', caller).where('key', '=', key).where('state', '=', 'in_progress').execute();
    },

    /** Deletes keys past their lifetime; returns how many. */
    async sweep(now: Date): Promise<number> {
      const result = await db
        .deleteFrom(TABLE)
        .where('created_at', '<', param.timestamptz(new Date(now.getTime() - KEY_LIFETIME_MS).toISOString()))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
