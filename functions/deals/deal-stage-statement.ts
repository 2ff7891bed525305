import { sql, type RawBuilder } from 'kysely';
import type { Deal } from '../../domain/deal/deal.js';
import { DEAL_TRANSITIONS, invalidTransition, type DealChange, type LoseInput, type StageCommand } from '../../domain/deal/deal-stages.js';
import type { Timestamp } from '../../domain/shared/timestamp.js';
import { param } from '../db/sql-values.js';
import type { RowValue, WriteOptions } from '../kit/aggregate-store.js';
import { PIPELINES } from '../pipelines/pipeline-table.js';

export interface StageCommandInput {
  readonly stage?: string | undefined;
  readonly closedAt?: Timestamp | undefined;
  readonly lost?: LoseInput | undefined;
}

/** The stages (jsonb array) of the pipeline of the deal row `row`. */
const stagesOf = (row: RowValue) => sql`(select p.stages from ${sql.table(PIPELINES)} as p where p.id = ${row('pipeline_id')})`;

/** The stage record of that pipeline with key `key` (jsonb), null when there is none. */
const stageNamed = (row: RowValue, key: RawBuilder<unknown>) =>
  sql`(select s.value from jsonb_array_elements(${stagesOf(row)}) as s where s.value ->> 'key' = ${key} limit 1)`;

/** Where that stage is in the pipeline (from 1), 0 when there is none. */
const positionOf = (row: RowValue, key: RawBuilder<unknown>) =>
  sql`coalesce((select s.n from jsonb_array_elements(${stagesOf(row)}) with ordinality as s(value, n) where s.value ->> 'key' = ${key} limit 1), 0)`;

const firstOfKind = (row: RowValue, kind: string) =>
  sql`(select s.value ->> 'key' from jsonb_array_elements(${stagesOf(row)}) with ordinality as s(value, n)
       where s.value ->> 'kind' = ${kind} order by s.n limit 1)`;

/**
 * A stage command as the write statement decides it from the deal row it locks and that row's
 * pipeline, so that no read of the deal precedes the write (issue 17: 2 Data API calls, not 3).
 * It is `stageCommand` (domain/deal/deal-stages.ts) in SQL and must stay its twin: the same target
 * stage, the same values set, the same event note. What the domain would refuse (another status,
 * a stage the pipeline lacks or of another kind, a lost reason it does not list) is a condition of
 * the statement instead, so such a write is not applied and the caller reads the deal to let the
 * domain say why; `test/deals/deal-stage-statement.test.ts` holds the two to the same results.
 */
export function stageStatement(
  command: StageCommand,
  input: StageCommandInput,
  now: Timestamp,
): { change: DealChange; computed: NonNullable<WriteOptions['computed']> } {
  const step = DEAL_TRANSITIONS[command];
  const closedAt = input.closedAt ?? now;
  const enteredAt = step.to === 'open' ? now : closedAt;
  const closing = command === 'win' || command === 'lose';
  // Computed by the statement: placeholders the kit replaces (see `computed.set`).
  const set: Partial<Deal> = {
    stage: '',
    status: step.to,
    stageEnteredAt: enteredAt,
    ...(closing ? { closedAt, lastOpenStage: '' } : {}),
    ...(command === 'lose' && input.lost
      ? { lost: { reason: input.lost.reason, note: input.lost.note ?? null, competitor: input.lost.competitor ?? null } }
      : {}),
    ...(command === 'reopen' ? { closedAt: null, lost: null, lastOpenStage: null } : {}),
  };
  const target = (row: RowValue): RawBuilder<unknown> =>
    command === 'reopen'
      ? sql`coalesce(${row('last_open_stage')}, ${firstOfKind(row, 'open')})`
      : input.stage !== undefined
        ? sql`cast(${input.stage} as text)`
        : firstOfKind(row, step.to);
  const computed: NonNullable<WriteOptions['computed']> = {
    set: { stage: target, ...(closing ? { lastOpenStage: (row: RowValue) => row('stage') } : {}) },
    requires: (row) => [
      sql<boolean>`exists (select 1 from jsonb_array_elements(${stagesOf(row)}) as s
        where s.value ->> 'key' = ${target(row)} and s.value ->> 'kind' = ${step.to})`,
      ...(command === 'lose'
        ? [
            sql<boolean>`coalesce((select p.lost_reasons from ${sql.table(PIPELINES)} as p where p.id = ${row('pipeline_id')})
              @> jsonb_build_array(cast(${input.lost?.reason ?? ''} as text)), false)`,
          ]
        : []),
    ],
    note: (row) => {
      const from = stageNamed(row, row('stage'));
      const to = stageNamed(row, target(row));
      // A close recorded at an earlier closed_at left the previous stage then, not now.
      const seconds = sql`greatest(0, round(extract(epoch from (${param.timestamptz(enteredAt)} - ${row('stage_entered_at')}))))`;
      return sql`jsonb_build_object(
        'stage', jsonb_build_object('from', ${row('stage')}, 'to', ${target(row)}),
        'probability', jsonb_build_object('from', ${from} -> 'probability', 'to', ${to} -> 'probability'),
        'forecast_category', jsonb_build_object('from', ${from} -> 'forecast_category', 'to', ${to} -> 'forecast_category'),
        'direction', case when ${positionOf(row, target(row))} >= ${positionOf(row, row('stage'))} then 'forward' else 'backward' end,
        'seconds_in_previous_stage', cast(${seconds} as bigint))`;
    },
  };
  return {
    change: {
      event: step.event,
      set,
      requires: [{ field: 'status', oneOf: [...step.from], refusal: (current) => invalidTransition(current.status, command) }],
    },
    computed,
  };
}
