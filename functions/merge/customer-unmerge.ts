import { sql, type RawBuilder } from 'kysely';
import type { Customer } from '../../domain/customer/customer.js';
import { customerErased, customerNotFound } from '../../domain/customer/customer-errors.js';
import type { DomainError } from '../../domain/errors.js';
import { mergedInto, UNDO_WINDOW_DAYS } from '../../domain/merge/merge-errors.js';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { CUSTOMERS, rowToCustomer, type CustomerRow } from '../customers/customer-table.js';
import { param, toIsoTimestamp } from '../db/sql-values.js';
import { EVENTS } from '../events/event-table.js';
import { markClaimedOnWrite } from '../events/write-claims.js';
import { PURCHASES } from '../purchases/purchase-repository.js';
import type { MergeDependencies } from './customer-merge.js';
import { CUSTOMER_MOVES } from './customer-moves.js';
import { eventInsertColumns, eventRow } from './merge-events.js';
import { MERGE_LOSERS, MERGES } from './merge-tables.js';
import { changedSince, restoreSql } from './record-moves.js';

export interface CustomerUnmergeCommand {
  readonly survivorId: string;
  readonly loserId: string;
  readonly actor: string;
}

export interface CustomerUnmergeOutcome {
  readonly survivor: Customer;
  readonly restored: Customer;
  readonly mergeId: string;
  readonly movedBack: Readonly<Record<string, number>>;
}

/** How many changed records an unsafe unmerge names. */
const CHANGED_SHOWN = 10;
const MAX_ATTEMPTS = 3;
class ChangedUnderUnmerge extends Error {}

interface UnmergeRead {
  merge_id: string | null;
  undo_until: Date | string | null;
  merged_at: Date | string | null;
  changed: { record_type: string; record_id: string }[] | string | null;
  survivor: (CustomerRow & { merged_into: string | null }) | string | null;
  loser: (CustomerRow & { merged_into: string | null }) | string | null;
}

const parsed = <T>(value: T | string | null): T | null => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/** A jsonb row as the database renders it (timestamps as text), turned into the customer. */
function customerOf(row: (CustomerRow & { merged_into: string | null }) | null): (Customer & { mergedInto: string | null }) | null {
  return row ? { ...rowToCustomer(row), mergedInto: row.merged_into } : null;
}

/**
 * Undoing a merge for one loser (docs/merge.md), within UNDO_WINDOW_DAYS: the loser comes back as it
 * was, and every record the merge moved away from it (orders, interactions, deals, emails) moves
 * back, exactly as the ledger recorded it; the survivor's purchase summary is recounted from its
 * orders. Refused (409 MERGE.UNDO_UNSAFE, naming them) when a moved record has changed since, so
 * nothing later is overwritten. One read, then in one transaction the lock of both customers and
 * one statement that writes nothing unless every moved record is still as the merge left it.
 */
export function createCustomerUnmerges(deps: MergeDependencies) {
  const { db } = deps;

  async function read(command: CustomerUnmergeCommand): Promise<UnmergeRead> {
    const survivor = param.uuid(command.survivorId);
    const loser = param.uuid(command.loserId);
    const changed = CUSTOMER_MOVES.map(
      (move) => sql`select * from (${changedSince(move, sql`(select id from m)`, loser, CHANGED_SHOWN)}) as c`,
    );
    const { rows } = await sql<UnmergeRead>`
      with m as (
        select g.id, g.undo_until, g.merged_at from ${sql.table(MERGES)} g
        join ${sql.table(MERGE_LOSERS)} l on l.merge_id = g.id
        where g.aggregate_type = 'customer' and g.survivor_id = ${survivor} and l.loser_id = ${loser} and l.unmerged_at is null
        order by g.merged_at desc limit 1
      )
      select (select id from m) as merge_id, (select undo_until from m) as undo_until, (select merged_at from m) as merged_at,
        (select coalesce(jsonb_agg(to_jsonb(c)), '[]'::jsonb) from (
          select * from (${sql.join(changed, sql` union all `)}) as u limit ${sql.lit(CHANGED_SHOWN)}) as c) as changed,
        (select to_jsonb(s) from ${sql.table(CUSTOMERS)} s where s.id = ${survivor}) as survivor,
        (select to_jsonb(s) from ${sql.table(CUSTOMERS)} s where s.id = ${loser}) as loser`.execute(db);
    return rows[0]!;
  }

  function refusal(command: CustomerUnmergeCommand, found: UnmergeRead, now: string): DomainError | null {
    const survivor = customerOf(parsed(found.survivor));
    const loser = customerOf(parsed(found.loser));
    if (!survivor || survivor.deletedAt !== null) {
      return survivor?.mergedInto ? mergedInto('customer', command.survivorId, survivor.mergedInto) : customerNotFound(command.survivorId);
    }
    if (survivor.erasedAt !== null) return customerErased(survivor.id, survivor.erasedAt);
    if (!loser) return customerNotFound(command.loserId);
    if (found.merge_id === null || loser.mergedInto !== command.survivorId) {
      return {
        code: 'MERGE.NOT_MERGED',
        message: `Customer ${command.loserId} is not merged into ${command.survivorId} (it never was, or was given back already).`,
        details: { customer_id: command.loserId, merged_into: loser.mergedInto },
      };
    }
    if (found.undo_until !== null && toIsoTimestamp(found.undo_until) < now) {
      return {
        code: 'MERGE.UNDO_EXPIRED',
        message: `This merge can be undone for ${UNDO_WINDOW_DAYS} days, until ${toIsoTimestamp(found.undo_until)}; that time has passed.`,
        details: { merge_id: found.merge_id, undo_until: toIsoTimestamp(found.undo_until) },
      };
    }
    const changed = parsed(found.changed) ?? [];
    if (changed.length > 0) {
      return {
        code: 'MERGE.UNDO_UNSAFE',
        message:
          'Records the merge moved have changed since, so moving them back would overwrite those changes: ' +
          changed.map((record) => `${record.record_type} ${record.record_id}`).join(', ') +
          '. Change them back, or move them by hand.',
        details: { merge_id: found.merge_id, changed },
      };
    }
    return null;
  }

  /** A purchase summary recounted from orders (as adjustSummary keeps it): refunded orders count neither as orders nor as spend. */
  function summaryOf(orders: RawBuilder<boolean>) {
    const counted = sql`${orders} and p.state <> 'refunded'`;
    return {
      ordersCount: sql`(select count(*) from ${sql.table(PURCHASES)} p where ${counted})`,
      totalSpent: sql`(select coalesce(jsonb_object_agg(x.currency, x.total), '{}'::jsonb) from (
        select p.currency, sum(p.total_minor) as total from ${sql.table(PURCHASES)} p where ${counted}
        group by p.currency having sum(p.total_minor) <> 0) as x)`,
      first: sql`(select min(p.placed_at) from ${sql.table(PURCHASES)} p where ${orders})`,
      last: sql`(select max(p.placed_at) from ${sql.table(PURCHASES)} p where ${orders})`,
    };
  }

  async function write(
    command: CustomerUnmergeCommand,
    found: UnmergeRead,
  ): Promise<{ outcome: CustomerUnmergeOutcome; events: DomainEvent[] }> {
    const survivorRead = customerOf(parsed(found.survivor))!;
    const loserRead = customerOf(parsed(found.loser))!;
    const mergeId = found.merge_id!;
    const now = deps.now().toISOString();
    const nowParam = param.timestamptz(now);
    const survivor = param.uuid(command.survivorId);
    const loser = param.uuid(command.loserId);
    const ids = [command.survivorId, command.loserId].sort();

    return db.transaction().execute(async (trx) => {
      const { rows: locked } = await sql<{
        id: string;
        version: number | string;
        live: boolean;
        erased: boolean;
        merged_into: string | null;
      }>`
        select id, version, deleted_at is null as live, erased, cast(merged_into as text) as merged_into from ${sql.table(CUSTOMERS)}
        where id in (${sql.join(ids.map((id) => param.uuid(id)))})
        order by id for update`.execute(trx);
      const lockedSurvivor = locked.find((row) => row.id === survivorRead.id);
      const lockedLoser = locked.find((row) => row.id === loserRead.id);
      // Still what the read found (a survivor live and not erased, the loser merged into it)? Else read and decide again.
      const truthy = (value: boolean | string) => value === true || value === 't';
      if (
        !lockedSurvivor ||
        !lockedLoser ||
        !truthy(lockedSurvivor.live) ||
        truthy(lockedSurvivor.erased) ||
        lockedLoser.merged_into !== survivorRead.id
      ) {
        throw new ChangedUnderUnmerge();
      }
      // The events follow the versions as locked: orders and other writers may have moved the survivor on since the read.
      const versions = new Map(locked.map((row) => [row.id, Number(row.version)]));
      // The losers of this merge still merged: records shared with them keep pointing at the survivor.
      const remaining = sql`(select coalesce(jsonb_agg(cast(l.loser_id as text)), '[]'::jsonb) from ${sql.table(MERGE_LOSERS)} l
        where l.merge_id = ${param.uuid(mergeId)} and l.loser_id <> ${loser} and l.unmerged_at is null)`;
      const allIntact = sql<boolean>`(select ok from intact)`;
      const restores = CUSTOMER_MOVES.map((move, index) => ({
        move,
        index,
        sql: restoreSql(move, index, { mergeId: param.uuid(mergeId), loser, remaining, survivor }, allIntact),
      }));
      const intact = sql`intact as (select ${sql.join(
        restores.map(({ sql: parts }) => parts.intact),
        sql` and `,
      )} as ok)`;
      const orderIndex = restores.find(({ move }) => move.record === 'order')!.index;
      const movedBackOrders = sql`(select cast(l.record_id as uuid) from ${sql.ref(`restore${orderIndex}_ledger`)} l)`;
      const survivorSummary = summaryOf(sql<boolean>`p.customer_id = ${survivor} and p.order_id not in ${movedBackOrders}`);
      const loserSummary = summaryOf(sql<boolean>`(p.customer_id = ${loser} or p.order_id in ${movedBackOrders})`);
      const movedBack = sql`jsonb_build_object(${sql.join(
        restores
          .filter(({ move }) => move.record !== 'email')
          .map(({ move, sql: parts }) => sql`${sql.lit(`${move.record}s`)}, ${parts.count}`),
      )})`;
      const event = (id: string, version: number) => ({
        eventId: deps.newId(),
        type: 'CustomerUnmerged',
        eventVersion: 1,
        aggregateType: 'customer',
        aggregateId: id,
        aggregateVersion: version + 1,
        occurredAt: now,
        actor: command.actor,
      });
      const survivorEvent = event(survivorRead.id, versions.get(survivorRead.id)!);
      const loserEvent = event(loserRead.id, versions.get(loserRead.id)!);
      const baseData: JsonObject = { merge_id: mergeId, survivor_id: command.survivorId, restored_id: command.loserId };
      const data = sql`${param.jsonb(baseData)} || jsonb_build_object('moved_back', ${movedBack})`;
      const { rows } = await sql<{
        survivor: (CustomerRow & { merged_into: string | null }) | string;
        restored: (CustomerRow & { merged_into: string | null }) | string;
        moved_back: Record<string, number | string> | string;
        claimed: string | null;
      }>`
        with ${sql.join(
          restores.flatMap(({ sql: parts }) => parts.reads),
          sql`, `,
        )}, ${intact}, ${sql.join(
          restores.flatMap(({ sql: parts }) => parts.writes),
          sql`, `,
        )},
        survivor as (
          -- A user account that came from the loser goes back with it (first: it must not be live twice).
          update ${sql.table(CUSTOMERS)} set
            user_id = case when user_id is not distinct from ${param.nullableUuid(loserRead.userId)} then null else user_id end,
            orders_count = ${survivorSummary.ordersCount}, total_spent = ${survivorSummary.totalSpent},
            first_order_at = ${survivorSummary.first}, last_order_at = ${survivorSummary.last},
            summary_revision = summary_revision + 1, version = version + 1, updated_at = ${nowParam}
          where id = ${survivor} and ${allIntact}
          returning *
        ), restored as (
          update ${sql.table(CUSTOMERS)} set deleted_at = null, merged_into = null,
            orders_count = ${loserSummary.ordersCount}, total_spent = ${loserSummary.totalSpent},
            first_order_at = ${loserSummary.first}, last_order_at = ${loserSummary.last},
            summary_revision = summary_revision + 1, version = version + 1, updated_at = ${nowParam}
          where id = ${loser} and (select count(*) from survivor) = 1
          returning *
        ), given_back as (
          update ${sql.table(MERGE_LOSERS)} set unmerged_at = ${nowParam}
          where merge_id = ${param.uuid(mergeId)} and loser_id = ${loser} and (select count(*) from restored) = 1
          returning 1
        ), events as (
          insert into ${sql.table(EVENTS)} ${eventInsertColumns}
          select e.* from (${eventRow(db, survivorEvent, data)} union all ${eventRow(db, loserEvent, data)}) as e
          where (select count(*) from restored) = 1
          returning event_id, claimed_until
        )
        select (select to_jsonb(s) from survivor s) as survivor,
          (select to_jsonb(r) from restored r) as restored, ${movedBack} as moved_back,
          (select string_agg(cast(event_id as text), ',') from events where claimed_until is not null) as claimed`.execute(trx);
      const row = rows[0];
      const restoredRow = row ? parsed(row.restored) : null;
      if (!row || !restoredRow) throw new ChangedUnderUnmerge();
      const movedBackCounts = Object.fromEntries(Object.entries(parsed(row.moved_back)!).map(([key, value]) => [key, Number(value)]));
      const eventData = { ...baseData, moved_back: movedBackCounts };
      const events: DomainEvent[] = [
        { ...survivorEvent, data: eventData },
        { ...loserEvent, data: eventData },
      ];
      const claimed = new Set((row.claimed ?? '').split(',').filter(Boolean));
      for (const written of events) if (claimed.has(written.eventId)) markClaimedOnWrite(written);
      return {
        outcome: {
          survivor: customerOf(parsed(row.survivor))!,
          restored: customerOf(restoredRow)!,
          mergeId,
          movedBack: movedBackCounts,
        },
        events,
      };
    });
  }

  return {
    /** Gives the merged customer `loserId` back, with what the merge moved from it. */
    async unmerge(command: CustomerUnmergeCommand): Promise<Result<CustomerUnmergeOutcome, DomainError>> {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const found = await read(command);
        const refused = refusal(command, found, deps.now().toISOString());
        if (refused) return err(refused);
        try {
          const done = await write(command, found);
          await deps.afterCommit?.(done.events);
          return ok(done.outcome);
        } catch (error) {
          if (!(error instanceof ChangedUnderUnmerge)) throw error;
        }
      }
      throw new Error(
        `customers ${command.survivorId} and ${command.loserId} kept changing under their unmerge; gave up after ${MAX_ATTEMPTS} attempts`,
      );
    },
  };
}

export type CustomerUnmerges = ReturnType<typeof createCustomerUnmerges>;
