import { sql, type Kysely } from 'kysely';
import type { DealEvent, DealEventType } from '../../domain/deal/deal.events.js';
import type { ChildPage, PageRequest } from '../../domain/shared/paging.js';
import type { Timestamp } from '../../domain/shared/timestamp.js';
import type { Database } from '../db/database.js';
import { toNullableIsoTimestamp } from '../db/sql-values.js';
import { EVENTS } from '../events/event-table.js';
import { readAnnotatedStreamPage } from '../kit/stream-history.js';
import { dealScope, type DealVisibility } from './deal-repository.js';
import { DEALS } from './deal-table.js';

/** The events that put a deal into a stage: its time in that stage runs until the next of them. */
const STAGE_ENTERING: readonly DealEventType[] = ['DealCreated', 'DealStageChanged', 'DealWon', 'DealLost', 'DealReopened'];

/** How long the deal stayed in the stage an event put it in (null for events that did not change the stage). */
export type TimeInStage = {
  readonly stage: string;
  readonly entered_at: Timestamp;
  /** Null while the deal is still in the stage; then `seconds` runs until now. */
  readonly left_at: Timestamp | null;
  readonly seconds: number;
};

export interface DealHistoryItem {
  readonly event: DealEvent;
  readonly timeInStage: TimeInStage | null;
}

interface StageColumns {
  readonly stage: string | null;
  readonly stage_entered_at: Date | string | null;
  readonly stage_left_at: Date | string | null;
}

/**
 * When an event of `alias` put the deal in its stage: the stage_entered_at it recorded (a won or
 * lost deal may be closed at an earlier `closed_at`), else when it happened.
 */
const enteredAt = (alias: string) =>
  sql`coalesce(cast(coalesce(${sql.ref(`${alias}.data`)} #>> '{changes,stage_entered_at,to}', ${sql.ref(`${alias}.data`)} #>> '{deal,stage_entered_at}') as timestamptz), ${sql.ref(`${alias}.occurred_at`)})`;

const entering = (alias: string) => sql`${sql.ref(`${alias}.event_type`)} in (${sql.join(STAGE_ENTERING.map((type) => sql.lit(type)))})`;

/**
 * The stage each stage-entering event put the deal in, when, and when the next one took it out —
 * looked up in the whole stream, so the time is right on every page.
 */
const STAGE_ANNOTATION = sql`
  case when ${entering('e')} then coalesce(e.data #>> '{changes,stage,to}', e.data #>> '{deal,stage}') end as stage,
  case when ${entering('e')} then ${enteredAt('e')} end as stage_entered_at,
  case when ${entering('e')} then (
    select ${enteredAt('n')} from ${sql.table(EVENTS)} n
    where n.aggregate_type = e.aggregate_type and n.aggregate_id = e.aggregate_id
      and n.aggregate_version > e.aggregate_version and ${entering('n')}
    order by n.aggregate_version limit 1
  ) end as stage_left_at`;

const SECOND_MS = 1000;

/** A page of a deal's events, oldest first, each stage change with the time the deal spent in the stage it entered. */
export async function readDealHistory(
  db: Kysely<Database>,
  id: string,
  page: PageRequest,
  visibility: DealVisibility,
  now: Timestamp,
): Promise<ChildPage<DealHistoryItem> | null> {
  const read = await readAnnotatedStreamPage<DealEvent, StageColumns>(
    db,
    { table: DEALS, aggregateType: 'deal', id, scope: dealScope(visibility) },
    page,
    STAGE_ANNOTATION,
  );
  if (read?.kind !== 'page') return read;
  return { ...read, items: read.items.map(({ event, annotation }) => ({ event, timeInStage: timeInStage(annotation, now) })) };
}

function timeInStage(columns: StageColumns, now: Timestamp): TimeInStage | null {
  const enteredAt = toNullableIsoTimestamp(columns.stage_entered_at);
  if (columns.stage === null || enteredAt === null) return null;
  const leftAt = toNullableIsoTimestamp(columns.stage_left_at);
  const seconds = Math.round((Date.parse(leftAt ?? now) - Date.parse(enteredAt)) / SECOND_MS);
  return { stage: columns.stage, entered_at: enteredAt, left_at: leftAt, seconds: Math.max(0, seconds) };
}
