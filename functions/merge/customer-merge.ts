import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Customer } from '../../domain/customer/customer.js';
import {
  decideCustomerMerge,
  type ChoosableField,
  type CustomerMergeDecision,
  type MergeCandidates,
} from '../../domain/customer/merge-customers.js';
import type { DomainError } from '../../domain/errors.js';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { CUSTOMERS, rowToCustomer, type CustomerRow } from '../customers/customer-table.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { EVENTS } from '../events/event-table.js';
import type { AfterCommit } from '../kit/aggregate-service.js';
import { CUSTOMER_MOVES } from './customer-moves.js';
import { eventInsertColumns, eventRow } from './merge-events.js';
import { MERGE_LOSERS, MERGES } from './merge-tables.js';
import { countsOf, markClaimed, MergeRefused, undoUntilOf } from './merge-transaction.js';
import { moveSql } from './record-moves.js';

export interface MergeDependencies {
  readonly db: Kysely<Database>;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly afterCommit?: AfterCommit | undefined;
}

export interface CustomerMergeCommand {
  readonly survivorId: string;
  readonly mergeIds: readonly string[];
  readonly fieldChoices: Partial<Record<ChoosableField, string>>;
  readonly dryRun: boolean;
  /** What If-Match names: the survivor's version and purchase-summary revision. */
  readonly expected?: { readonly version: number; readonly revision: number } | undefined;
  readonly actor: string;
}

export interface CustomerMergeOutcome {
  readonly customer: Customer;
  readonly mergeId: string | null;
  readonly mergedIds: readonly string[];
  readonly fieldSources: Readonly<Record<string, string>>;
  readonly aliases: readonly string[];
  /** Records moved (or, in a dry run, that would move) to the survivor, by record type. */
  readonly moved: Readonly<Record<string, number>>;
  readonly undoUntil: string | null;
  readonly dryRun: boolean;
}

/** The record types a merge reports as moved (the emails are reported as aliases). */
const REPORTED_MOVES = CUSTOMER_MOVES.filter((move) => move.record !== 'email');
const movedKey = (record: string) => `${record}s`;

type ReadRow = CustomerRow & { merged_into: string | null } & Record<string, unknown>;

/**
 * Customer merges (docs/merge.md). A merge reads the records (one statement: the survivor, the
 * losers, how many records point at the losers), lets the domain decide, and then, in one
 * transaction: locks the survivor and losers in id order and decides again on the locked records (a
 * writer may have changed them since the read), and in one further statement, whose snapshot is taken after the
 * locks and so sees every writer that touched them first, writes the survivor, soft-deletes the
 * losers with `merged_into`, moves every record that points at a loser (orders, interactions,
 * deals, emails) with a ledger row each, and appends CustomerMerged and one CustomerMergedInto per loser.
 */
export function createCustomerMerges(deps: MergeDependencies) {
  const { db } = deps;

  async function read(command: CustomerMergeCommand, from: RawBuilder<unknown>) {
    const ids = [command.survivorId, ...command.mergeIds];
    const counts = REPORTED_MOVES.map(
      (move) =>
        sql`, (select count(*) from ${sql.table(move.table)} as t where ${move.references(from)}) as ${sql.ref(`moves_${move.record}`)}`,
    );
    const { rows } = await sql<ReadRow>`
      select c.*, cast(c.merged_into as text) as merged_into${sql.join(counts, sql``)}
      from ${sql.table(CUSTOMERS)} as c where c.id in (${sql.join(ids.map((id) => param.uuid(id)))})`.execute(db);
    const found = new Map(rows.map((row) => [row.id, { ...rowToCustomer(row), mergedInto: row.merged_into }]));
    const moved = Object.fromEntries(REPORTED_MOVES.map((move) => [movedKey(move.record), Number(rows[0]?.[`moves_${move.record}`] ?? 0)]));
    return { found, moved };
  }

  /** The If-Match check (answered first: the caller decided on another survivor) and the domain's decision. */
  function decide(command: CustomerMergeCommand, found: MergeCandidates['found']): Result<CustomerMergeDecision, DomainError> {
    const survivor = found.get(command.survivorId);
    const { expected } = command;
    if (
      survivor &&
      survivor.deletedAt === null &&
      expected &&
      (expected.version !== survivor.version || expected.revision !== survivor.purchases.revision)
    ) {
      return err({
        code: 'CUSTOMER.VERSION_MISMATCH',
        message: `The survivor was changed since you read it; it is now at version ${survivor.version}. Read it again and retry.`,
        details: { current_version: survivor.version },
      });
    }
    return decideCustomerMerge(
      { survivorId: command.survivorId, mergeIds: command.mergeIds, fieldChoices: command.fieldChoices },
      { found },
    );
  }

  async function attempt(
    command: CustomerMergeCommand,
  ): Promise<Result<{ outcome: CustomerMergeOutcome; events: DomainEvent[] }, DomainError>> {
    const from = param.jsonb(command.mergeIds);
    const { found, moved } = await read(command, from);
    const decided = decide(command, found);
    if (!decided.ok) return decided;
    const decision = decided.value;
    const survivor = found.get(command.survivorId);
    if (command.dryRun) {
      const preview = { ...survivor!, ...decision.fields, purchases: decision.purchases };
      return ok({
        outcome: {
          customer: preview,
          mergeId: null,
          mergedIds: command.mergeIds,
          fieldSources: decision.fieldSources,
          aliases: decision.aliases,
          moved,
          undoUntil: null,
          dryRun: true,
        },
        events: [],
      });
    }
    return write(command);
  }

  /**
   * The merge itself: the records are locked first (in id order) and decided again on what is
   * locked, since a writer may have changed them since the read; then one statement writes.
   */
  async function write(
    command: CustomerMergeCommand,
  ): Promise<Result<{ outcome: CustomerMergeOutcome; events: DomainEvent[] }, DomainError>> {
    const now = deps.now().toISOString();
    const undoUntil = undoUntilOf(now);
    const mergeId = deps.newId();
    const survivorId = command.survivorId;
    const ids = [survivorId, ...command.mergeIds].sort();
    return db
      .transaction()
      .execute(async (trx) => {
        const { rows: locked } = await sql<CustomerRow & { merged_into: string | null }>`
          select *, cast(merged_into as text) as merged_into from ${sql.table(CUSTOMERS)}
          where id in (${sql.join(ids.map((id) => param.uuid(id)))})
          order by id for update`.execute(trx);
        const found = new Map(locked.map((row) => [row.id, { ...rowToCustomer(row), mergedInto: row.merged_into }]));
        const decided = decide(command, found);
        if (!decided.ok) throw new MergeRefused(decided.error);
        const decision = decided.value;
        const version = (id: string) => found.get(id)!.version;
        const base = { eventVersion: 1, occurredAt: now, actor: command.actor, aggregateType: 'customer' } as const;
        const survivorEvent = {
          ...base,
          eventId: deps.newId(),
          type: 'CustomerMerged',
          aggregateId: survivorId,
          aggregateVersion: version(survivorId) + 1,
        };
        const loserEvents = command.mergeIds.map((id) => ({
          ...base,
          eventId: deps.newId(),
          type: 'CustomerMergedInto',
          aggregateId: id,
          aggregateVersion: version(id) + 1,
          data: { merge_id: mergeId, merged_into: survivorId, undo_until: undoUntil } as JsonObject,
        }));
        const survivorData: JsonObject = {
          merge_id: mergeId,
          merged_ids: [...command.mergeIds],
          changes: decision.changes as JsonObject,
          field_sources: decision.fieldSources,
          aliases: [...decision.aliases],
          undo_until: undoUntil,
        };

        const from = param.jsonb(command.mergeIds);
        const to = param.uuid(survivorId);
        const moves = CUSTOMER_MOVES.map((move, index) => ({ move, sql: moveSql(move, index, param.uuid(mergeId), from, to) }));
        const movedJson = sql`jsonb_build_object(${sql.join(
          moves
            .filter(({ move }) => move.record !== 'email')
            .map(({ move, sql: parts }) => sql`${sql.lit(movedKey(move.record))}, ${parts.count}`),
        )})`;
        const f = decision.fields;
        const p = decision.purchases;
        const nowParam = param.timestamptz(now);
        const loserIds = sql.join(command.mergeIds.map((id) => param.uuid(id)));
        const { rows } = await sql<CustomerRow & { moved: Record<string, number | string> | string; claimed: string | null }>`
        with losers as (
          update ${sql.table(CUSTOMERS)} set deleted_at = ${nowParam}, merged_into = ${to}, version = version + 1, updated_at = ${nowParam}
          where id in (${loserIds})
          returning id
        ), survivor as (
          -- After the losers (the scalar subquery runs first): a user id moving over is no longer live on a loser.
          update ${sql.table(CUSTOMERS)} set name = ${f.name}, phone = ${f.phone}, source = ${f.source},
            assigned_to = ${param.nullableUuid(f.assignedTo)}, company_id = ${param.nullableUuid(f.companyId)},
            user_id = ${param.nullableUuid(f.userId)}, status = ${f.status}, churned_at = ${param.nullableTimestamptz(f.churnedAt)},
            tier = ${f.tier}, tags = ${param.jsonb(f.tags)},
            orders_count = ${p.ordersCount}, total_spent = ${param.jsonb(p.totalSpent)},
            first_order_at = ${param.nullableTimestamptz(p.firstOrderAt)}, last_order_at = ${param.nullableTimestamptz(p.lastOrderAt)},
            summary_revision = summary_revision + 1, version = version + 1, updated_at = ${nowParam},
            -- What the interaction triggers arrive at once the moved links are in (they run after this statement's
            -- writes): the latest of the survivor's and losers' own, so the answer and the ETag are already final.
            last_interaction_at = (select max(c.last_interaction_at) from ${sql.table(CUSTOMERS)} c where c.id in (${to}, ${loserIds}))
          where id = ${to} and (select count(*) from losers) = ${command.mergeIds.length}
          returning *
        ), header as (
          insert into ${sql.table(MERGES)} (id, aggregate_type, survivor_id, merged_ids, field_sources, actor, merged_at, undo_until)
          select ${param.uuid(mergeId)}, 'customer', ${to}, ${param.jsonb(command.mergeIds)}, ${param.jsonb(decision.fieldSources)},
                 ${command.actor}, ${nowParam}, ${param.timestamptz(undoUntil)}
          from survivor
          returning id
        ), loser_rows as (
          insert into ${sql.table(MERGE_LOSERS)} (merge_id, loser_id) select header.id, losers.id from header, losers
          returning 1
        ), ${sql.join(moves.flatMap(({ sql: parts }) => parts.ctes))},
        events as (
          insert into ${sql.table(EVENTS)} ${eventInsertColumns}
          ${eventRow(db, survivorEvent, sql`${param.jsonb(survivorData)} || jsonb_build_object('moved', ${movedJson})`)}
          ${sql.join(
            loserEvents.map((event) => sql` union all ${eventRow(db, event, param.jsonb(event.data))}`),
            sql``,
          )}
          returning event_id, claimed_until
        )
        select survivor.*, ${movedJson} as moved,
          (select string_agg(cast(event_id as text), ',') from events where claimed_until is not null) as claimed
        from survivor`.execute(trx);
        const row = rows[0];
        // The survivor and losers are locked and were decided on as locked: the statement cannot miss them.
        if (!row) throw new Error(`the merge into ${survivorId} wrote nothing although its customers were locked`);
        const movedCounts = countsOf(row.moved);
        const events: DomainEvent[] = [{ ...survivorEvent, data: { ...survivorData, moved: movedCounts } }, ...loserEvents];
        markClaimed(events, row.claimed);
        return ok({
          outcome: {
            customer: rowToCustomer(row),
            mergeId,
            mergedIds: command.mergeIds,
            fieldSources: decision.fieldSources,
            aliases: decision.aliases,
            moved: movedCounts,
            undoUntil,
            dryRun: false,
          },
          events,
        });
      })
      .catch((error: unknown) => {
        // A refusal decided on the locked records rolled the transaction back.
        if (error instanceof MergeRefused) return err(error.error);
        throw error;
      });
  }

  return {
    /** Merges `mergeIds` into the survivor, or (dry run) answers what a merge would do without writing. */
    async merge(command: CustomerMergeCommand): Promise<Result<CustomerMergeOutcome, DomainError>> {
      const done = await attempt(command);
      if (!done.ok) return done;
      await deps.afterCommit?.(done.value.events);
      return ok(done.value.outcome);
    },
  };
}

export type CustomerMerges = ReturnType<typeof createCustomerMerges>;
