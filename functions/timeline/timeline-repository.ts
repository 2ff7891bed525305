import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { JsonObject } from '../../domain/shared/json.js';
import type { Timestamp } from '../../domain/shared/timestamp.js';
import type { TimelineKind } from '../../domain/timeline/timeline-summary.js';
import type { Database } from '../db/database.js';
import { fromJsonb, param, toIsoTimestamp } from '../db/sql-values.js';
import type { RowScope } from '../kit/aggregate-table.js';

/** Where the previous page ended: the time, kind rank and id of its last item (items are ordered by all three, newest first). */
export interface TimelinePosition {
  readonly occurredAt: Timestamp;
  readonly rank: number;
  readonly id: string;
}

export interface TimelineQuery {
  readonly kinds: readonly TimelineKind[];
  readonly from?: Timestamp | undefined;
  readonly to?: Timestamp | undefined;
  readonly limit: number;
  readonly after?: TimelinePosition | undefined;
}

/** One item as read: its kind and place in the order, who acted, and the kind's own fields (rendered by the route). */
export interface TimelineRow {
  readonly kind: TimelineKind;
  readonly rank: number;
  readonly id: string;
  readonly occurredAt: Timestamp;
  readonly actor: string | null;
  readonly detail: JsonObject;
}

export interface TimelinePage {
  readonly items: readonly TimelineRow[];
  readonly next: TimelinePosition | null;
}

/**
 * One kind of item on a record's timeline, as one branch of the page query: the rows about the
 * record (`record` is its bound id), their time and id (the keyset, which an index must serve in
 * this order), who acted, and the kind's fields as jsonb.
 */
export interface TimelineBranch {
  readonly kind: TimelineKind;
  /** Orders kinds that share a timestamp (higher first). */
  readonly rank: number;
  readonly from: RawBuilder<unknown>;
  readonly at: RawBuilder<unknown>;
  readonly id: RawBuilder<unknown>;
  readonly actor: RawBuilder<unknown>;
  readonly detail: RawBuilder<unknown>;
  readonly where: RawBuilder<boolean>;
  /**
   * When the rows are about a set of related records (a customer's deals, a company's contacts):
   * a FROM item aliased `owner` listing them, which `where` refers to. The branch then reads at most
   * a page per related record, through its index, and merges those.
   */
  readonly within?: RawBuilder<unknown>;
}

/** What a timeline is of: the record's table, the condition that it is live and visible, and its branches. */
export interface TimelineSubject {
  /** `select 1 from … where …` over the record (bound id, caller's scope). */
  readonly exists: RawBuilder<unknown>;
  readonly branches: (record: RawBuilder<unknown>) => readonly TimelineBranch[];
}

/** The keyset condition of one branch: after `position` in (time desc, rank desc, id desc), with the branch's rank fixed. */
function afterPosition(branch: TimelineBranch, position: TimelinePosition): RawBuilder<boolean> {
  const at = param.timestamptz(position.occurredAt);
  if (branch.rank < position.rank) return sql<boolean>`${branch.at} <= ${at}`;
  if (branch.rank > position.rank) return sql<boolean>`${branch.at} < ${at}`;
  return sql<boolean>`(${branch.at}, ${branch.id}) < (${at}, ${param.uuid(position.id)})`;
}

type PageRow = {
  found: boolean | string | number;
  kind: string | null;
  rank: number | string | null;
  id: string | null;
  occurred_at: Date | string | null;
  actor: string | null;
  detail: JsonObject | string | null;
};

/**
 * Reads a page of a record's timeline in one statement: each kind's branch reads at most a page
 * after the cursor through its own index, the branches are merged in one order, and a row with
 * `found` false says the record is missing or not visible.
 */
export async function readTimeline(
  db: Kysely<Database>,
  subject: TimelineSubject,
  record: string,
  query: TimelineQuery,
): Promise<TimelinePage | null> {
  const { rows } = await timelinePageQuery(subject, record, query).execute(db);
  const found = rows[0]?.found;
  if (!(found === true || found === 'true' || found === 't' || found === 1)) return null;
  const items = rows
    .filter((row) => row.id !== null)
    .map((row): TimelineRow => ({
      kind: row.kind as TimelineKind,
      rank: Number(row.rank),
      id: row.id!,
      occurredAt: toIsoTimestamp(row.occurred_at!),
      actor: row.actor,
      detail: fromJsonb(row.detail!) as JsonObject,
    }));
  const page = items.slice(0, query.limit);
  const last = page[page.length - 1];
  return { items: page, next: items.length > query.limit && last ? { occurredAt: last.occurredAt, rank: last.rank, id: last.id } : null };
}

/** The one statement that reads a page (exported so that a test can EXPLAIN it). */
export function timelinePageQuery(subject: TimelineSubject, record: string, query: TimelineQuery): RawBuilder<PageRow> {
  const take = query.limit + 1;
  const branches = subject.branches(param.uuid(record)).filter((branch) => query.kinds.includes(branch.kind));
  const selects = branches.map((branch) => {
    const conditions: RawBuilder<boolean>[] = [branch.where, sql<boolean>`exists (select 1 from target)`];
    if (query.after) conditions.push(afterPosition(branch, query.after));
    if (query.from) conditions.push(sql<boolean>`${branch.at} >= ${param.timestamptz(query.from)}`);
    if (query.to) conditions.push(sql<boolean>`${branch.at} < ${param.timestamptz(query.to)}`);
    const page = sql`select cast(${sql.lit(branch.kind)} as text) as kind, ${sql.lit(branch.rank)} as rank, ${branch.id} as id,
        ${branch.at} as occurred_at, cast(${branch.actor} as text) as actor, ${branch.detail} as detail
      from ${branch.from}
      where ${sql.join(conditions, sql` and `)}
      order by ${branch.at} desc, ${branch.id} desc
      limit ${take}`;
    if (!branch.within) return sql`(${page})`;
    return sql`(select related.* from ${branch.within} cross join lateral (${page}) as related
      order by related.occurred_at desc, related.id desc limit ${take})`;
  });
  const merged =
    selects.length === 0
      ? sql`select cast(null as text) as kind, cast(null as integer) as rank, cast(null as uuid) as id,
          cast(null as timestamptz) as occurred_at, cast(null as text) as actor, cast(null as jsonb) as detail where false`
      : // Wrapped, so that one branch alone (one kind) is not a select with two ORDER BY clauses.
        sql`select * from (${sql.join(selects, sql` union all `)}) as branches order by occurred_at desc, rank desc, id desc limit ${take}`;
  return sql<PageRow>`
    with target as (${subject.exists})
    select exists (select 1 from target) as found, page.*
    from (select 1) as one left join lateral (${merged}) as page on true
    order by page.occurred_at desc, page.rank desc, page.id desc`;
}

/** The scope condition of a subject's table, or none. */
export const scoped = (scope: RowScope): RawBuilder<unknown> => (scope ? sql`and ${scope}` : sql``);
