import { sql, type RawBuilder } from 'kysely';
import type { Company } from '../../domain/company/company.js';
import { MAX_HIERARCHY_LEVELS } from '../../domain/company/company.js';
import {
  decideCompanyMerge,
  type ChoosableCompanyField,
  type CompanyMergeCandidates,
  type CompanyMergeDecision,
} from '../../domain/company/merge-companies.js';
import type { DomainError } from '../../domain/errors.js';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { COMPANIES, rowToCompany, type CompanyRow } from '../companies/company-table.js';
import { classifyDatabaseError } from '../db/database-errors.js';
import { param } from '../db/sql-values.js';
import { EVENTS } from '../events/event-table.js';
import { COMPANY_MOVED_KEYS, COMPANY_MOVES } from './company-moves.js';
import type { MergeDependencies } from './customer-merge.js';
import { eventInsertColumns, eventRow } from './merge-events.js';
import { MERGE_LOSERS, MERGES } from './merge-tables.js';
import { countsOf, markClaimed, MergeRefused, undoUntilOf } from './merge-transaction.js';
import { moveSql } from './record-moves.js';

export interface CompanyMergeCommand {
  readonly survivorId: string;
  readonly mergeIds: readonly string[];
  readonly fieldChoices: Partial<Record<ChoosableCompanyField, string>>;
  readonly dryRun: boolean;
  /** The survivor's version If-Match names. */
  readonly expectedVersion?: number | undefined;
  readonly actor: string;
}

export interface CompanyMergeOutcome {
  readonly company: Company;
  readonly mergeId: string | null;
  readonly mergedIds: readonly string[];
  readonly fieldSources: Readonly<Record<string, string>>;
  /** The losers' domains, now the survivor's aliases. */
  readonly domains: readonly string[];
  /** Records moved (or, in a dry run, that would move) to the survivor: contacts, deals, interactions, subsidiaries. */
  readonly moved: Readonly<Record<string, number>>;
  readonly undoUntil: string | null;
  readonly dryRun: boolean;
}

type ReadRow = CompanyRow & { merged_into: string | null; ancestors: string[] | string | null } & Record<string, unknown>;

/** The hierarchy triggers' refusals a move of subsidiaries can meet (a concurrent change of the hierarchy), as answers. */
const HIERARCHY_REFUSALS: Readonly<Record<string, DomainError>> = {
  customer_mgmt_companies_no_cycle: {
    code: 'COMPANY.HIERARCHY_CYCLE',
    message:
      'Moving the losers’ subsidiaries to the survivor would form a cycle in the hierarchy (it changed during the merge); read the companies again.',
  },
  customer_mgmt_companies_depth: {
    code: 'COMPANY.HIERARCHY_TOO_DEEP',
    message: `Moving the losers’ subsidiaries under the survivor would make the hierarchy deeper than ${MAX_HIERARCHY_LEVELS} levels; move some of them first.`,
  },
};

/** The companies named, and the survivor's ancestors (nearest first, bounded by the hierarchy's depth). */
function companiesSql(ids: readonly string[], survivorId: string, lock: boolean): RawBuilder<ReadRow> {
  return sql<ReadRow>`
    select c.*, cast(c.merged_into as text) as merged_into,
      (with recursive up (id, parent, level) as (
         select s.id, s.parent_company_id, 0 from ${sql.table(COMPANIES)} s where s.id = ${param.uuid(survivorId)}
         union all
         select p.id, p.parent_company_id, up.level + 1 from ${sql.table(COMPANIES)} p join up on p.id = up.parent
         where up.level <= ${sql.lit(MAX_HIERARCHY_LEVELS)})
       select coalesce(jsonb_agg(cast(up.id as text) order by up.level), '[]'::jsonb) from up where up.level > 0) as ancestors
    from ${sql.table(COMPANIES)} as c where c.id in (${sql.join(ids.map((id) => param.uuid(id)))})
    ${lock ? sql`order by c.id for update of c` : sql``}`;
}

function candidatesOf(rows: readonly ReadRow[]): CompanyMergeCandidates {
  const ancestors = rows[0]?.ancestors;
  return {
    found: new Map(rows.map((row) => [row.id, { ...rowToCompany(row), mergedInto: row.merged_into }])),
    survivorAncestors: typeof ancestors === 'string' ? JSON.parse(ancestors) : (ancestors ?? []),
  };
}

/**
 * Company merges (docs/merge.md), through the same kit as customer merges. A merge reads the
 * companies (one statement, with the survivor's ancestors and how many records point at the losers),
 * lets the domain decide, then in one transaction: locks the companies in id order and decides again
 * on them as locked; moves every record that points at a loser with its ledger row (one statement:
 * the delete triggers refuse a company with live contacts, open deals or subsidiaries, so they move
 * first); then, in one further statement, soft-deletes the losers with `merged_into` (freeing their
 * domains), writes the survivor with those domains as aliases, and appends CompanyMerged and one
 * CompanyMergedInto per loser.
 */
export function createCompanyMerges(deps: MergeDependencies) {
  const { db } = deps;

  function decide(command: CompanyMergeCommand, candidates: CompanyMergeCandidates): Result<CompanyMergeDecision, DomainError> {
    const survivor = candidates.found.get(command.survivorId);
    if (survivor && survivor.deletedAt === null && command.expectedVersion !== undefined && command.expectedVersion !== survivor.version) {
      return err({
        code: 'COMPANY.VERSION_MISMATCH',
        message: `The survivor was changed since you read it; it is now at version ${survivor.version}. Read it again and retry.`,
        details: { current_version: survivor.version },
      });
    }
    return decideCompanyMerge(
      { survivorId: command.survivorId, mergeIds: command.mergeIds, fieldChoices: command.fieldChoices },
      candidates,
    );
  }

  async function preview(command: CompanyMergeCommand): Promise<Result<CompanyMergeOutcome, DomainError> | null> {
    const from = param.jsonb(command.mergeIds);
    const counts = COMPANY_MOVES.map(
      (move) =>
        sql`, (select count(*) from ${sql.table(move.table)} as t where ${move.references(from)}) as ${sql.ref(`moves_${move.record}`)}`,
    );
    const { rows } = await sql<ReadRow>`select r.*${sql.join(counts, sql``)}
      from (${companiesSql([command.survivorId, ...command.mergeIds], command.survivorId, false)}) as r`.execute(db);
    const decided = decide(command, candidatesOf(rows));
    if (!decided.ok) return decided;
    if (!command.dryRun) return null;
    const survivor = rows.find((row) => row.id === command.survivorId)!;
    const moved = Object.fromEntries(
      COMPANY_MOVES.map((move) => [COMPANY_MOVED_KEYS[move.record]!, Number(rows[0]?.[`moves_${move.record}`] ?? 0)]),
    );
    return ok({
      company: { ...rowToCompany(survivor), ...decided.value.fields },
      mergeId: null,
      mergedIds: command.mergeIds,
      fieldSources: decided.value.fieldSources,
      domains: decided.value.domainsTaken,
      moved,
      undoUntil: null,
      dryRun: true,
    });
  }

  async function write(
    command: CompanyMergeCommand,
  ): Promise<Result<{ outcome: CompanyMergeOutcome; events: DomainEvent[] }, DomainError>> {
    const now = deps.now().toISOString();
    const undoUntil = undoUntilOf(now);
    const mergeId = deps.newId();
    const survivorId = command.survivorId;
    return db
      .transaction()
      .execute(async (trx) => {
        const { rows: locked } = await companiesSql([survivorId, ...command.mergeIds].sort(), survivorId, true).execute(trx);
        const candidates = candidatesOf(locked);
        const decided = decide(command, candidates);
        if (!decided.ok) throw new MergeRefused(decided.error);
        const decision = decided.value;
        const version = (id: string) => candidates.found.get(id)!.version;

        // The moves first: the companies' delete triggers count live contacts, open deals and subsidiaries.
        const from = param.jsonb(command.mergeIds);
        const to = param.uuid(survivorId);
        const moves = COMPANY_MOVES.map((move, index) => ({ move, sql: moveSql(move, index, param.uuid(mergeId), from, to) }));
        const movedJson = sql`jsonb_build_object(${sql.join(
          moves.map(({ move, sql: parts }) => sql`${sql.lit(COMPANY_MOVED_KEYS[move.record]!)}, ${parts.count}`),
        )})`;
        const { rows: movedRows } = await sql<{ moved: Record<string, number | string> | string }>`
          with header as (
            insert into ${sql.table(MERGES)} (id, aggregate_type, survivor_id, merged_ids, field_sources, actor, merged_at, undo_until)
            values (${param.uuid(mergeId)}, 'company', ${to}, ${param.jsonb(command.mergeIds)}, ${param.jsonb(decision.fieldSources)},
                    ${command.actor}, ${param.timestamptz(now)}, ${param.timestamptz(undoUntil)})
            returning id
          ), loser_rows as (
            insert into ${sql.table(MERGE_LOSERS)} (merge_id, loser_id)
            select header.id, cast(l.id as uuid) from header, jsonb_array_elements_text(${from}) as l(id)
            returning 1
          ), ${sql.join(moves.flatMap(({ sql: parts }) => parts.ctes))}
          select ${movedJson} as moved, (select count(*) from loser_rows) as losers`
          .execute(trx)
          .catch((error: unknown) => {
            const failure = classifyDatabaseError(error);
            const refusal = failure?.kind === 'check_violation' && failure.constraint ? HIERARCHY_REFUSALS[failure.constraint] : undefined;
            throw refusal ? new MergeRefused(refusal) : error;
          });
        const movedCounts = countsOf(movedRows[0]!.moved);

        const base = { eventVersion: 1, occurredAt: now, actor: command.actor, aggregateType: 'company' } as const;
        const survivorData: JsonObject = {
          merge_id: mergeId,
          merged_ids: [...command.mergeIds],
          changes: decision.changes as JsonObject,
          field_sources: decision.fieldSources,
          domains: [...decision.domainsTaken],
          moved: movedCounts,
          undo_until: undoUntil,
        };
        const survivorEvent = {
          ...base,
          eventId: deps.newId(),
          type: 'CompanyMerged',
          aggregateId: survivorId,
          aggregateVersion: version(survivorId) + 1,
          data: survivorData,
        };
        const loserEvents = command.mergeIds.map((id) => ({
          ...base,
          eventId: deps.newId(),
          type: 'CompanyMergedInto',
          aggregateId: id,
          aggregateVersion: version(id) + 1,
          data: { merge_id: mergeId, merged_into: survivorId, undo_until: undoUntil } as JsonObject,
        }));
        const events: DomainEvent[] = [survivorEvent, ...loserEvents];
        const f = decision.fields;
        const nowParam = param.timestamptz(now);
        const { rows } = await sql<CompanyRow & { claimed: string | null }>`
          with losers as (
            update ${sql.table(COMPANIES)} set deleted_at = ${nowParam}, merged_into = ${to}, version = version + 1, updated_at = ${nowParam}
            where id in (${sql.join(command.mergeIds.map((id) => param.uuid(id)))})
            returning id
          ), survivor as (
            -- After the losers (the scalar subquery runs first): their domains are free once their triggers have run.
            update ${sql.table(COMPANIES)} set name = ${f.name}, industry = ${f.industry}, size_band = ${f.sizeBand},
              country = ${f.country}, phone = ${f.phone}, website = ${f.website}, owner_id = ${param.nullableUuid(f.ownerId)},
              domain_aliases = ${param.jsonb(f.domainAliases)}, tags = ${param.jsonb(f.tags)},
              version = version + 1, updated_at = ${nowParam}
            where id = ${to} and (select count(*) from losers) = ${command.mergeIds.length}
            returning *
          ), events as (
            insert into ${sql.table(EVENTS)} ${eventInsertColumns}
            ${sql.join(
              events.map((event) => eventRow(db, event, param.jsonb(event.data))),
              sql` union all `,
            )}
            returning event_id, claimed_until
          )
          select survivor.*, (select string_agg(cast(event_id as text), ',') from events where claimed_until is not null) as claimed
          from survivor`.execute(trx);
        const row = rows[0];
        // The companies are locked and were decided on as locked: the statement cannot miss them.
        if (!row) throw new Error(`the merge into company ${survivorId} wrote nothing although its companies were locked`);
        markClaimed(events, row.claimed);
        return ok({
          outcome: {
            company: rowToCompany(row),
            mergeId,
            mergedIds: command.mergeIds,
            fieldSources: decision.fieldSources,
            domains: decision.domainsTaken,
            moved: movedCounts,
            undoUntil,
            dryRun: false,
          },
          events,
        });
      })
      .catch((error: unknown) => {
        if (error instanceof MergeRefused) return err(error.error);
        throw error;
      });
  }

  return {
    /** Merges `mergeIds` into the survivor company, or (dry run) answers what a merge would do without writing. */
    async merge(command: CompanyMergeCommand): Promise<Result<CompanyMergeOutcome, DomainError>> {
      const previewed = await preview(command);
      if (previewed) return previewed;
      const done = await write(command);
      if (!done.ok) return done;
      await deps.afterCommit?.(done.value.events);
      return ok(done.value.outcome);
    },
  };
}

export type CompanyMerges = ReturnType<typeof createCompanyMerges>;
