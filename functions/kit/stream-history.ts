import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { ChildPage, PageRequest } from '../../domain/shared/paging.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { EVENTS, rowToEvent, type EventRow } from '../events/event-table.js';
import type { RowScope } from './aggregate-table.js';

type HistoryRow = { [K in keyof EventRow]: EventRow[K] | null } & { anchor_version: number | null };

/** What an aggregate's history adds to each event: columns computed from the event row `e`. */
export type StreamAnnotation = RawBuilder<unknown>;

/**
 * A page of one aggregate's event stream, oldest first, in one statement: the aggregate (live and
 * within `scope`, whose columns may be qualified with the table name), the anchor event named by
 * `after` (lateral, so an unknown `after` is a row without an anchor) and the page after it.
 * Null when the aggregate is missing or outside the scope.
 */
export async function readStreamPage<Event extends DomainEvent>(
  db: Kysely<Database>,
  stream: StreamToRead,
  page: PageRequest,
): Promise<ChildPage<Event> | null> {
  const read = await readAnnotatedStreamPage<Event, never>(db, stream, page);
  return read?.kind === 'page' ? { ...read, items: read.items.map((item) => item.event) } : read;
}

interface StreamToRead {
  readonly table: string;
  readonly aggregateType: string;
  readonly id: string;
  readonly scope?: RowScope;
}

/**
 * The same page, each event with the columns `annotation` selects next to it (a select list over
 * the event row `e`, e.g. the stage a deal event entered and when the deal left it) — computed in
 * the same statement, so an annotation may look at events outside the page.
 */
export async function readAnnotatedStreamPage<Event extends DomainEvent, Annotation extends object>(
  db: Kysely<Database>,
  stream: StreamToRead,
  page: PageRequest,
  annotation?: StreamAnnotation,
): Promise<ChildPage<{ readonly event: Event; readonly annotation: Annotation }> | null> {
  const table = sql.table(stream.table);
  const self = sql.ref(`${stream.table}.id`);
  const anchor =
    page.after === undefined
      ? sql`(select cast(0 as integer) as anchor_version) anchor`
      : sql`lateral (select aggregate_version as anchor_version from ${sql.table(EVENTS)}
            where event_id = ${param.uuid(page.after)} and aggregate_type = ${stream.aggregateType} and aggregate_id = ${self}) anchor on true`;
  const { rows } = await sql<HistoryRow>`
    select page.*, anchor.anchor_version
    from ${table}
    ${page.after === undefined ? sql`cross join` : sql`left join`} ${anchor}
    left join lateral (
      select e.* ${annotation ? sql`, ${annotation}` : sql``} from ${sql.table(EVENTS)} e
      where e.aggregate_type = ${stream.aggregateType} and e.aggregate_id = ${self} and e.aggregate_version > anchor.anchor_version
      order by e.aggregate_version
      limit ${page.limit + 1}
    ) page on true
    where ${self} = ${param.uuid(stream.id)} and ${sql.ref(`${stream.table}.deleted_at`)} is null ${stream.scope ? sql`and ${stream.scope}` : sql``}
    order by page.aggregate_version`.execute(db);
  if (rows.length === 0) return null;
  if (rows[0]!.anchor_version === null) return { kind: 'unknown_after' };
  const events = rows
    .filter((row): row is HistoryRow & EventRow => row.event_id !== null)
    .map((row) => ({ event: rowToEvent(row) as Event, annotation: row as unknown as Annotation }));
  return { kind: 'page', items: events.slice(0, page.limit), hasMore: events.length > page.limit };
}
