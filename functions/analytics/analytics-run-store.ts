import { sql, type Kysely } from 'kysely';
import { runInProgress } from '../../domain/analytics/analytics-errors.js';
import type { InsightSettings } from '../../domain/analytics/customer-insight.js';
import type { DomainError } from '../../domain/errors.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import type { Database } from '../db/database.js';
import { fromJsonb, param, toIsoTimestamp, toNullableIsoTimestamp } from '../db/sql-values.js';
import { RUNS, type AnalyticsRunsTable } from './analytics-tables.js';
import type { Selectable } from 'kysely';

export const RUN_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const RUN_PHASES = ['fitting', 'scoring', 'summarising'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];
export const RUN_TRIGGERS = ['api', 'schedule', 'command'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** Everything a run is asked to do: the scoring settings and how it splits the work. */
export interface RunSettings extends InsightSettings {
  /** Up to this many customers of a currency the models are fitted on everyone; beyond, on a deterministic sample of about this size. */
  readonly maxFitCustomers: number;
  /** Customers scored and written per partition; progress is saved after each one. */
  readonly partitionCustomers: number;
}

export interface AnalyticsRun {
  readonly id: string;
  readonly state: RunState;
  readonly phase: RunPhase | null;
  readonly triggeredBy: RunTrigger;
  readonly requestedBy: string;
  readonly asOf: string;
  readonly settings: RunSettings;
  /** The last customer id whose insights are written (partitions go in customer id order). */
  readonly scoredThrough: string | null;
  readonly customersScored: number;
  readonly eventsEmitted: number;
  /** Function invocations the run has taken so far (a large population takes several). */
  readonly invocations: number;
  /** Currencies with purchases but no model (e.g. no repeat customer yet), and why. */
  readonly skippedCurrencies: readonly { readonly currency: string; readonly reason: string }[];
  readonly error: string | null;
  readonly requestedAt: string;
  readonly startedAt: string | null;
  readonly heartbeatAt: string | null;
  readonly finishedAt: string | null;
}

/** A queued or running run that has not saved progress for this long is taken as dead (a Lambda lives 15 minutes at most). */
export const ABANDONED_AFTER_MS = 20 * 60_000;

function rowToRun(row: Selectable<AnalyticsRunsTable>): AnalyticsRun {
  return {
    id: row.id,
    state: row.state as RunState,
    phase: row.phase as RunPhase | null,
    triggeredBy: row.triggered_by as RunTrigger,
    requestedBy: row.requested_by,
    asOf: toIsoTimestamp(row.as_of),
    settings: fromJsonb(row.options) as unknown as RunSettings,
    scoredThrough: row.scored_through,
    customersScored: Number(row.customers_scored),
    eventsEmitted: Number(row.events_emitted),
    invocations: Number(row.invocations),
    skippedCurrencies: fromJsonb(row.skipped_currencies) as AnalyticsRun['skippedCurrencies'],
    error: row.error,
    requestedAt: toIsoTimestamp(row.requested_at),
    startedAt: toNullableIsoTimestamp(row.started_at),
    heartbeatAt: toNullableIsoTimestamp(row.heartbeat_at),
    finishedAt: toNullableIsoTimestamp(row.finished_at),
  };
}

export interface NewRun {
  readonly id: string;
  readonly requestedBy: string;
  readonly triggeredBy: RunTrigger;
  readonly asOf: string;
  readonly settings: RunSettings;
}

export interface RunProgress {
  readonly phase: RunPhase;
  readonly scoredThrough?: string | null;
  readonly addScored?: number;
  readonly addEvents?: number;
  readonly skippedCurrencies?: AnalyticsRun['skippedCurrencies'];
}

/** The runs table: one queued or running run at a time (a unique index decides, so concurrent requests cannot both win). */
export function createAnalyticsRunStore(db: Kysely<Database>) {
  const table = sql.table(RUNS);
  const at = (now: Date) => param.timestamptz(now.toISOString());

  return {
    /** Queues a run, or answers the run that is already queued or running. A run silent for ABANDONED_AFTER_MS is failed first. */
    async create(run: NewRun, now: Date): Promise<Result<AnalyticsRun, DomainError>> {
      await sql`
        update ${table} set state = 'failed', finished_at = ${at(now)},
          error = 'abandoned: no progress saved for ' || ${ABANDONED_AFTER_MS / 60_000} || ' minutes (the function stopped)'
        where state in ('queued', 'running') and coalesce(heartbeat_at, requested_at) < ${at(new Date(now.getTime() - ABANDONED_AFTER_MS))}`.execute(
        db,
      );
      const { rows } = await sql<Selectable<AnalyticsRunsTable>>`
        insert into ${table} (id, state, requested_by, triggered_by, as_of, options, requested_at)
        values (${param.uuid(run.id)}, 'queued', ${run.requestedBy}, ${run.triggeredBy}, ${param.timestamptz(run.asOf)},
                ${param.jsonb(run.settings)}, ${at(now)})
        on conflict do nothing
        returning *`.execute(db);
      if (rows[0]) return ok(rowToRun(rows[0]));
      const active = await db.selectFrom(RUNS).select('id').where('state', 'in', ['queued', 'running']).executeTakeFirst();
      // The active run may have finished between the two statements: then the caller may simply ask again.
      return err(runInProgress(active?.id ?? 'unknown'));
    },

    async get(id: string): Promise<AnalyticsRun | null> {
      const row = await db.selectFrom(RUNS).selectAll().where('id', '=', param.uuid(id)).executeTakeFirst();
      return row ? rowToRun(row) : null;
    },

    /** Marks an invocation's start; null when the run is finished (a duplicate invocation then does nothing). */
    async begin(id: string, now: Date): Promise<AnalyticsRun | null> {
      const { rows } = await sql<Selectable<AnalyticsRunsTable>>`
        update ${table} set state = 'running', started_at = coalesce(started_at, ${at(now)}), heartbeat_at = ${at(now)},
          invocations = invocations + 1, phase = coalesce(phase, 'fitting')
        where id = ${param.uuid(id)} and state in ('queued', 'running')
        returning *`.execute(db);
      return rows[0] ? rowToRun(rows[0]) : null;
    },

    async progress(id: string, progress: RunProgress, now: Date): Promise<void> {
      await sql`
        update ${table} set phase = ${progress.phase}, heartbeat_at = ${at(now)},
          scored_through = ${progress.scoredThrough === undefined ? sql.ref('scored_through') : param.nullableUuid(progress.scoredThrough)},
          customers_scored = customers_scored + ${progress.addScored ?? 0},
          events_emitted = events_emitted + ${progress.addEvents ?? 0},
          skipped_currencies = ${progress.skippedCurrencies ? param.jsonb(progress.skippedCurrencies) : sql.ref('skipped_currencies')}
        where id = ${param.uuid(id)} and state = 'running'`.execute(db);
    },

    async succeed(id: string, now: Date): Promise<void> {
      await sql`
        update ${table} set state = 'succeeded', phase = null, finished_at = ${at(now)}, heartbeat_at = ${at(now)}
        where id = ${param.uuid(id)} and state = 'running'`.execute(db);
    },

    async fail(id: string, error: string, now: Date): Promise<void> {
      await sql`
        update ${table} set state = 'failed', finished_at = ${at(now)}, error = ${error.slice(0, 2000)}
        where id = ${param.uuid(id)} and state in ('queued', 'running')`.execute(db);
    },
  };
}

export type AnalyticsRunStore = ReturnType<typeof createAnalyticsRunStore>;
