import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Company } from '../../domain/company/company.js';
import { companyNotFound } from '../../domain/company/company-errors.js';
import type { DomainError } from '../../domain/errors.js';
import { mergedInto, UNDO_WINDOW_DAYS } from '../../domain/merge/merge-errors.js';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { COMPANIES, rowToCompany, type CompanyRow } from '../companies/company-table.js';
import { param, toIsoTimestamp } from '../db/sql-values.js';
import { EVENTS } from '../events/event-table.js';
import { COMPANY_MOVED_KEYS, COMPANY_MOVES } from './company-moves.js';
import type { MergeDependencies } from './customer-merge.js';
import { eventInsertColumns, eventRow } from './merge-events.js';
import { MERGE_LOSERS, MERGES } from './merge-tables.js';
import { countsOf, markClaimed, MergeRefused } from './merge-transaction.js';
import { changedSince, restoreSql } from './record-moves.js';

export interface CompanyUnmergeCommand {
  readonly survivorId: string;
  readonly loserId: string;
  readonly actor: string;
}

export interface CompanyUnmergeOutcome {
  readonly survivor: Company;
  readonly restored: Company;
  readonly mergeId: string;
  readonly movedBack: Readonly<Record<string, number>>;
}

/** How many changed records an unsafe unmerge names. */
const CHANGED_SHOWN = 10;

type LockedRow = CompanyRow & { merged_into: string | null };
type LoadedRow = LockedRow & {
  merge_id: string | null;
  undo_until: Date | string | null;
  changed: { record_type: string; record_id: string }[] | string | null;
};
const parsed = <T>(value: T | string | null): T | null => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

function unsafe(mergeId: string, changed: readonly { record_type: string; record_id: string }[]): DomainError {
  return {
    code: 'MERGE.UNDO_UNSAFE',
    message:
      'Records the merge moved have changed since, so moving them back would overwrite those changes: ' +
      changed.map((record) => `${record.record_type} ${record.record_id}`).join(', ') +
      '. Change them back, or move them by hand.',
    details: { merge_id: mergeId, changed: changed.map((record) => ({ ...record })) },
  };
}

/**
 * Undoing a company merge for one loser (docs/merge.md), within UNDO_WINDOW_DAYS: the loser comes
 * back with its domains (taken off the survivor's aliases) and every record the merge moved away
 * from it moves back, exactly as the ledger recorded it. Refused (409 MERGE.UNDO_UNSAFE) when a
 * moved record, or one of the loser's domains on the survivor, has changed since. In one
 * transaction: both companies locked and the merge read with what changed since; the survivor's
 * aliases given back and the loser restored (first: a contact, deal or subsidiary may only point at
 * a live company); then the records moved back, only if every one is still as the merge left it.
 */
export function createCompanyUnmerges(deps: MergeDependencies) {
  const { db } = deps;

  /** Both companies (locked, in a transaction) with their merge and the moved records that changed since: one statement. */
  async function load(executor: Kysely<Database>, command: CompanyUnmergeCommand, lock: boolean): Promise<LoadedRow[]> {
    const survivor = param.uuid(command.survivorId);
    const loser = param.uuid(command.loserId);
    const changed = COMPANY_MOVES.map(
      (move) => sql`select * from (${changedSince(move, sql`(select id from m)`, loser, CHANGED_SHOWN)}) as c`,
    );
    const merge = sql`with m as (
        select g.id, g.undo_until from ${sql.table(MERGES)} g
        join ${sql.table(MERGE_LOSERS)} l on l.merge_id = g.id
        where g.aggregate_type = 'company' and g.survivor_id = ${survivor} and l.loser_id = ${loser} and l.unmerged_at is null
        order by g.merged_at desc limit 1
      )`;
    const { rows } = await sql<LoadedRow>`
      select c.*, cast(c.merged_into as text) as merged_into,
        (${merge} select cast(id as text) from m) as merge_id,
        (${merge} select undo_until from m) as undo_until,
        (${merge} select coalesce(jsonb_agg(to_jsonb(c)), '[]'::jsonb) from (
          select * from (${sql.join(changed, sql` union all `)}) as u limit ${sql.lit(CHANGED_SHOWN)}) as c) as changed
      from ${sql.table(COMPANIES)} as c
      where c.id in (${sql.join([command.survivorId, command.loserId].sort().map((id) => param.uuid(id)))})
      ${lock ? sql`order by c.id for update of c` : sql``}`.execute(executor);
    return rows;
  }

  /** The refusals (docs/merge.md), or what the unmerge needs. */
  function decide(
    command: CompanyUnmergeCommand,
    rows: readonly LoadedRow[],
    now: string,
  ): Result<{ mergeId: string; survivorCompany: Company; loserDomains: string[] }, DomainError> {
    const survivorRow = rows.find((row) => row.id === command.survivorId);
    const loserRow = rows.find((row) => row.id === command.loserId);
    if (!survivorRow || survivorRow.deleted_at !== null) {
      return err(
        survivorRow?.merged_into ? mergedInto('company', command.survivorId, survivorRow.merged_into) : companyNotFound(command.survivorId),
      );
    }
    if (!loserRow) return err(companyNotFound(command.loserId));
    const mergeId = survivorRow.merge_id;
    if (mergeId === null || loserRow.merged_into !== command.survivorId) {
      return err({
        code: 'MERGE.NOT_MERGED',
        message: `Company ${command.loserId} is not merged into ${command.survivorId} (it never was, or was given back already).`,
        details: { company_id: command.loserId, merged_into: loserRow.merged_into },
      });
    }
    const undoUntil = survivorRow.undo_until === null ? null : toIsoTimestamp(survivorRow.undo_until);
    if (undoUntil !== null && undoUntil < now) {
      return err({
        code: 'MERGE.UNDO_EXPIRED',
        message: `This merge can be undone for ${UNDO_WINDOW_DAYS} days, until ${undoUntil}; that time has passed.`,
        details: { merge_id: mergeId, undo_until: undoUntil },
      });
    }
    // The loser's domains must all still be the survivor's aliases: one taken off may belong to another company now.
    const loserCompany = rowToCompany(loserRow);
    const survivorCompany = rowToCompany(survivorRow);
    const loserDomains: string[] = loserCompany.domain
      ? [loserCompany.domain, ...loserCompany.domainAliases]
      : [...loserCompany.domainAliases];
    const lostDomains = loserDomains.filter((domain) => !(survivorCompany.domainAliases as readonly string[]).includes(domain));
    const changedRecords = [
      ...(parsed(survivorRow.changed) ?? []),
      ...lostDomains.map((domain) => ({ record_type: 'domain', record_id: domain })),
    ].slice(0, CHANGED_SHOWN);
    if (changedRecords.length > 0) return err(unsafe(mergeId, changedRecords));
    return ok({ mergeId, survivorCompany, loserDomains });
  }

  async function attempt(command: CompanyUnmergeCommand): Promise<{ outcome: CompanyUnmergeOutcome; events: DomainEvent[] }> {
    const now = deps.now().toISOString();
    const nowParam = param.timestamptz(now);
    const survivor = param.uuid(command.survivorId);
    return db.transaction().execute(async (trx) => {
      const decided = decide(command, await load(trx, command, true), now);
      if (!decided.ok) throw new MergeRefused(decided.error);
      const { mergeId, survivorCompany, loserDomains } = decided.value;

      // The survivor gives the domains back first (their trigger frees them), then the loser is live again with them.
      const aliases = survivorCompany.domainAliases.filter((domain) => !loserDomains.includes(domain));
      const { rows: written } = await sql<{ survivor: LockedRow | string; restored: LockedRow | string }>`
        with survivor as (
          update ${sql.table(COMPANIES)} set domain_aliases = ${param.jsonb(aliases)}, version = version + 1, updated_at = ${nowParam}
          where id = ${param.uuid(command.survivorId)}
          returning *
        ), restored as (
          update ${sql.table(COMPANIES)} set deleted_at = null, merged_into = null, version = version + 1, updated_at = ${nowParam}
          where id = ${param.uuid(command.loserId)} and (select count(*) from survivor) = 1
          returning *
        )
        select (select to_jsonb(s) from survivor s) as survivor, (select to_jsonb(r) from restored r) as restored`.execute(trx);

      const remaining = sql`(select coalesce(jsonb_agg(cast(l.loser_id as text)), '[]'::jsonb) from ${sql.table(MERGE_LOSERS)} l
        where l.merge_id = ${param.uuid(mergeId)} and l.loser_id <> ${param.uuid(command.loserId)} and l.unmerged_at is null)`;
      const allIntact = sql<boolean>`(select ok from intact)`;
      const restores = COMPANY_MOVES.map((move, index) => ({
        move,
        sql: restoreSql(move, index, { mergeId: param.uuid(mergeId), loser: param.uuid(command.loserId), remaining, survivor }, allIntact),
      }));
      const movedBack = sql`jsonb_build_object(${sql.join(
        restores.map(({ move, sql: parts }) => sql`${sql.lit(COMPANY_MOVED_KEYS[move.record]!)}, ${parts.count}`),
      )})`;
      const event = (id: string, version: number) => ({
        eventId: deps.newId(),
        type: 'CompanyUnmerged',
        eventVersion: 1,
        aggregateType: 'company',
        aggregateId: id,
        aggregateVersion: version,
        occurredAt: now,
        actor: command.actor,
      });
      const survivorAfter = rowToCompany(parsed(written[0]!.survivor)!);
      const restored = rowToCompany(parsed(written[0]!.restored)!);
      const survivorEvent = event(survivorAfter.id, survivorAfter.version);
      const loserEvent = event(restored.id, restored.version);
      const baseData: JsonObject = { merge_id: mergeId, survivor_id: command.survivorId, restored_id: command.loserId };
      const data = sql`${param.jsonb(baseData)} || jsonb_build_object('moved_back', ${movedBack})`;
      const { rows } = await sql<{ ok: boolean | string; moved_back: Record<string, number | string> | string; claimed: string | null }>`
        with ${sql.join(
          restores.flatMap(({ sql: parts }) => parts.reads),
          sql`, `,
        )}, intact as (select ${sql.join(
          restores.map(({ sql: parts }) => parts.intact),
          sql` and `,
        )} as ok), ${sql.join(
          restores.flatMap(({ sql: parts }) => parts.writes),
          sql`, `,
        )},
        given_back as (
          update ${sql.table(MERGE_LOSERS)} set unmerged_at = ${nowParam}
          where merge_id = ${param.uuid(mergeId)} and loser_id = ${param.uuid(command.loserId)} and ${allIntact}
          returning 1
        ), events as (
          insert into ${sql.table(EVENTS)} ${eventInsertColumns}
          select e.* from (${eventRow(db, survivorEvent, data)} union all ${eventRow(db, loserEvent, data)}) as e where ${allIntact}
          returning event_id, claimed_until
        )
        select (select ok from intact) as ok, ${movedBack} as moved_back,
          (select string_agg(cast(event_id as text), ',') from events where claimed_until is not null) as claimed`.execute(trx);
      const row = rows[0]!;
      // A record changed between the check and its lock: nothing was moved back, and the restore rolls back.
      if (!(row.ok === true || row.ok === 't')) throw new MergeRefused(unsafe(mergeId, []));
      // The interaction links' triggers moved both companies' last interaction after that statement: the answer is read now.
      const { rows: final } = await sql<CompanyRow>`select * from ${sql.table(COMPANIES)}
        where id in (${survivor}, ${param.uuid(command.loserId)})`.execute(trx);
      const finalOf = (id: string) => rowToCompany(final.find((candidate) => candidate.id === id)!);
      const movedBackCounts = countsOf(row.moved_back);
      const eventData = { ...baseData, moved_back: movedBackCounts };
      const events: DomainEvent[] = [
        { ...survivorEvent, data: eventData },
        { ...loserEvent, data: eventData },
      ];
      markClaimed(events, row.claimed);
      return {
        outcome: { survivor: finalOf(command.survivorId), restored: finalOf(command.loserId), mergeId, movedBack: movedBackCounts },
        events,
      };
    });
  }

  return {
    /** Gives the merged company `loserId` back, with its domains and what the merge moved from it. */
    async unmerge(command: CompanyUnmergeCommand): Promise<Result<CompanyUnmergeOutcome, DomainError>> {
      // Refusals are answered from one read, without a transaction; the transaction decides again on the locked rows.
      const refused = decide(command, await load(db, command, false), deps.now().toISOString());
      if (!refused.ok) return refused;
      try {
        const done = await attempt(command);
        await deps.afterCommit?.(done.events);
        return ok(done.outcome);
      } catch (error) {
        if (error instanceof MergeRefused) return err(error.error);
        throw error;
      }
    },
  };
}

export type CompanyUnmerges = ReturnType<typeof createCompanyUnmerges>;
