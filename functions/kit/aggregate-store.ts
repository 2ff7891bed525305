import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { AggregateChange, AggregateRoot } from '../../domain/shared/aggregate-change.js';
import type { InsertOutcome, SaveOutcome } from '../../domain/shared/aggregate-repository.js';
import type { ChangeContext, DomainEvent } from '../../domain/shared/domain-event.js';
import type { Database } from '../db/database.js';
import { classifyDatabaseError } from '../db/database-errors.js';
import { reusablePlan } from '../db/reusable-plans.js';
import { executeCached } from '../db/statement-cache.js';
import { param } from '../db/sql-values.js';
import { ref, refList, table as tableNamed } from '../db/sql-names.js';
import { EVENTS, eventToInsert } from '../events/event-table.js';
import { undeliveredInStream } from '../events/stream-backlog.js';
import { markClaimedOnWrite, writeClaimLease } from '../events/write-claims.js';
import type { AggregateTable, RowScope } from './aggregate-table.js';

export interface WriteOptions {
  /** Who may touch the row (a sales rep's own records); rows outside it behave as missing. */
  readonly scope?: RowScope;
  /** Further conditions the write needs, checked in the same statement (e.g. a parent that must exist). */
  readonly guards?: readonly RawBuilder<boolean>[];
  /**
   * Further writes of an insert, in the same statement: each runs once per inserted row and may
   * select from `inserted` (the new row, all columns), e.g. the rows of a link table.
   */
  readonly alongside?: readonly RawBuilder<unknown>[];
  /**
   * Rules across aggregates the caller names (e.g. a linked customer belongs to the linked
   * company), over the row as the write would leave it: a write that breaks one is not applied
   * and comes back as a `conflict` on the first that fails, answered by the write statement itself.
   */
  readonly rules?: readonly WriteRule[];
  /**
   * Further values read in the same statement as a write, over the saved row (a change: e.g. a row
   * it refers to) or the new row's values (an insert: e.g. its possible duplicates). An insert's
   * reads see the table as it was before the insert, so never the new row itself.
   */
  readonly reads?: Readonly<Record<string, (row: RowValue) => RawBuilder<unknown>>>;
  /**
   * A change whose values depend on the row as it is (e.g. a deal's next stage, read off its
   * pipeline), decided by the write statement itself instead of by a read before it:
   * - `set`: SQL over the current row (`row`) for fields of the change, in place of their values;
   * - `requires`: further conditions over the current row, checked with the preconditions (a write
   *   that breaks one is not applied: the caller reads the row to say why);
   * - `note`: facts the event records about the row as it was (a jsonb object), after the change's own note.
   * Inside `requires` the row's columns are unqualified: a subquery must alias its tables and not
   * use their names for columns of the row.
   */
  readonly computed?: {
    readonly set?: Readonly<Record<string, (row: RowValue) => RawBuilder<unknown>>>;
    readonly requires?: (row: RowValue) => readonly RawBuilder<boolean>[];
    readonly note?: (row: RowValue) => RawBuilder<unknown>;
  };
}

/** A column's value in the row as the write leaves it, as SQL. */
export type RowValue = (column: string) => RawBuilder<unknown>;

export interface WriteRule {
  readonly rule: string;
  holds(row: RowValue): RawBuilder<boolean>;
}

/** At most this many merged records are remembered between a read that missed them and the explanation of its 404. */
const MERGED_SEEN_MAX = 1_000;

/**
 * Persistence of one kind of aggregate with its event stream, generic over the aggregate: every
 * write is one statement that carries its event, on every dialect (the RDS Data API included).
 */
export function createAggregateStore<State extends AggregateRoot, Field extends keyof State, EventType extends string>(
  db: Kysely<Database>,
  definition: AggregateTable<State, Field>,
) {
  const table = tableNamed(definition.table);
  // Where records a read missed went, until the 404 that explains it asks (bounded: a miss nobody explains is forgotten).
  const mergedSeen = new Map<string, string | null>();

  /** The rule behind a failed write, if a named unique index or check constraint is why it failed. */
  function brokenRule(error: unknown): string | null {
    const failure = classifyDatabaseError(error);
    if (failure?.kind !== 'unique_violation' && failure?.kind !== 'check_violation') return null;
    return definition.rules[failure.constraint ?? ''] ?? null;
  }

  const live = (scope: RowScope) => [sql<boolean>`deleted_at is null`, ...(scope ? [scope] : [])];

  return {
    /**
     * Inserts a new aggregate and its first event in one statement, if every guard holds. A taken
     * unique value is an answer, not an error: ON CONFLICT DO NOTHING, and the same statement says
     * which rule stopped it.
     */
    async insert(entity: State, event: DomainEvent<EventType>, options: WriteOptions = {}): Promise<InsertOutcome> {
      const columns = Object.entries(definition.entityToInsert(entity));
      const lease = claimUntil(event.occurredAt);
      // A new stream has no earlier event to wait for: its first event is always claimable.
      const eventColumns = Object.entries({ ...eventToInsert(event), ...(lease && { claimed_until: lease }) });
      const values = definition.entityToInsert(entity);
      const row: RowValue = (column) => sql`${values[column]}`;
      const rules = (options.rules ?? []).map(({ rule, holds }) => ({ rule, holds: holds(row) }));
      const guards = [...(options.guards ?? []), ...referencesHold(entity), ...rules.map(({ holds }) => holds)];
      const alongside = (options.alongside ?? []).map((statement, index) => sql`, ${sql.id(`alongside_${index}`)} as (${statement})`);
      try {
        // Its text is compiled once per shape (statement-cache.ts): only the values are bound per request.
        const statement = sql<{ inserted: number | string; conflict: string | null }>`${reusablePlan}
          with inserted as (
            insert into ${table} (${refList(columns.map(([column]) => column))})
            select ${sql.join(columns.map(([, value]) => value))}
            ${guards.length > 0 ? sql`where ${sql.join(guards, sql` and `)}` : sql``}
            on conflict do nothing
            returning *
          ), event as (
            insert into ${tableNamed(EVENTS)} (${refList(eventColumns.map(([column]) => column))})
            select ${sql.join(eventColumns.map(([, value]) => value))} from inserted
            returning 1
          )${sql.join(alongside, sql``)}
          select (select count(*) from event) as inserted, ${takenRule(entity, null, rules)} as conflict${readColumns(options.reads, row)}`;
        const { rows } = await executeCached(statement, db);
        if (Number(rows[0]?.inserted ?? 0) === 1) {
          if (lease) markClaimedOnWrite(event);
          return options.reads ? { kind: 'inserted', reads: readValues(options.reads, rows[0]!) } : { kind: 'inserted' };
        }
        // Without unique checks there is nothing to ask again: a guard (or the caller's own rule) stopped it.
        const rule = rows[0]?.conflict ?? (definition.uniqueChecks ? await takenNow(entity, null, rules) : null);
        return rule ? { kind: 'conflict', field: rule } : { kind: 'not_applied' };
      } catch (error) {
        const field = brokenRule(error);
        if (field) return { kind: 'conflict', field };
        throw error;
      }
    },

    async findById(id: string, options: WriteOptions = {}): Promise<State | null> {
      const merged = definition.mergedIntoColumn;
      if (!merged) {
        const conditions = sql.join(live(options.scope), sql` and `);
        const statement = sql<
          Record<string, unknown>
        >`${reusablePlan} select * from ${table} where id = ${param.uuid(id)} and ${conditions}`;
        const { rows } = await executeCached(statement, db);
        return rows[0] ? definition.rowToEntity(rows[0]) : null;
      }
      // Live, or merged into another: the same read notes where a merged record went.
      const scope = options.scope ? sql` and ${options.scope}` : sql``;
      // A key lookup: planned once per connection (reusable-plans.ts), as the customer's own read by id.
      const { rows } = await executeCached(
        sql<Record<string, unknown> & { merged_to: string | null }>`${reusablePlan}
          select *, cast(${ref(merged)} as text) as merged_to from ${table}
          where id = ${param.uuid(id)} and (deleted_at is null or ${ref(merged)} is not null)${scope}`,
        db,
      );
      const row = rows[0];
      if (row && row['deleted_at'] === null) return definition.rowToEntity(row);
      if (mergedSeen.size >= MERGED_SEEN_MAX) mergedSeen.clear();
      mergedSeen.set(id, row ? row.merged_to : null);
      return null;
    },

    /**
     * The survivor a record missing from the caller's scope was merged into, or null: what the read
     * that just missed it noted, else read (within the scope: a caller learns only of records they could see).
     */
    async mergedInto(id: string, options: WriteOptions = {}): Promise<string | null> {
      const merged = definition.mergedIntoColumn;
      if (!merged) return null;
      if (mergedSeen.has(id)) {
        const seen = mergedSeen.get(id)!;
        mergedSeen.delete(id);
        return seen;
      }
      const scope = options.scope ? sql` and ${options.scope}` : sql``;
      const { rows } = await sql<{ merged_to: string | null }>`
        select cast(${ref(merged)} as text) as merged_to from ${table}
        where id = ${param.uuid(id)} and ${ref(merged)} is not null${scope}`.execute(db);
      return rows[0]?.merged_to ?? null;
    },

    /** Applies the change only if its preconditions hold and it changes something; one statement with its event. */
    async saveChange(
      id: string,
      change: AggregateChange<State, EventType, Field>,
      context: ChangeContext,
      options: WriteOptions = {},
    ): Promise<SaveOutcome<State, DomainEvent<EventType>>> {
      try {
        const { rows } = await executeCached(changeStatement(id, change, context, options), db);
        const row = rows[0];
        if (row?.conflict_field) return { kind: 'conflict', field: row.conflict_field };
        if (!row || row.id === null) return { kind: 'not_applied' };
        const entity = definition.rowToEntity(row);
        const event: DomainEvent<EventType> = {
          eventId: context.eventId,
          type: change.event,
          eventVersion: 1,
          aggregateType: definition.kind.type,
          aggregateId: entity.id,
          aggregateVersion: entity.version,
          occurredAt: context.now,
          actor: context.actor,
          data: typeof row.event_data === 'string' ? JSON.parse(row.event_data) : row.event_data,
        };
        if (row.event_claimed === true || row.event_claimed === 't') markClaimedOnWrite(event);
        if (!options.reads) return { kind: 'saved', entity, event };
        return { kind: 'saved', entity, event, reads: readValues(options.reads, row) };
      } catch (error) {
        // Only a race gets here (a conflicting row committed after the statement's snapshot), or a
        // rule a trigger enforces; inside a transaction the error fails it, and it is retried whole.
        const field = brokenRule(error);
        if (field) return { kind: 'conflict', field };
        if (classifyDatabaseError(error)?.kind === 'check_violation') return { kind: 'not_applied' };
        throw error;
      }
    },
  };

  /**
   * One statement: lock the row only if every precondition holds and something would change,
   * update it, and append the event whose `changes` compare the locked (old) and updated rows.
   * The lock is FOR NO KEY UPDATE (the id never changes): foreign-key checks of other rows that
   * point at this one (a subsidiary's parent) take KEY SHARE and must not wait for it, or two
   * writers that each hold one row and check the other's would deadlock.
   */
  function changeStatement(id: string, change: AggregateChange<State, EventType, Field>, context: ChangeContext, options: WriteOptions) {
    const fields = Object.keys(change.set) as Field[];
    // A field's new value, over the row it changes: bound from the change, or computed by the statement.
    const bound = fields.map((field) => {
      const codec = definition.columns[field];
      const computed = options.computed?.set?.[field as string];
      const value = computed ? undefined : codec.bind(change.set[field]);
      return { field, codec, valueOver: (row: RowValue) => computed?.(row) ?? value! };
    });
    // In the locking select the row's columns are unqualified; after it, they are `old`'s.
    const current: RowValue = (column) => ref(column);
    const locked: RowValue = (column) => ref(`old.${column}`);
    const guards: RawBuilder<unknown>[] = [
      sql`id = ${param.uuid(id)}`,
      ...live(options.scope),
      ...(options.guards ?? []),
      ...(options.computed?.requires?.(current) ?? []),
    ];
    for (const precondition of change.requires ?? []) {
      const codec = definition.columns[precondition.field as Field] ?? definition.guardColumns?.[precondition.field];
      if (!codec) throw new Error(`${definition.table} has no column for the precondition on ${precondition.field}`);
      guards.push(sql`${ref(codec.column)} in (${sql.join(precondition.oneOf.map((value) => sql`${codec.bind(value)}`))})`);
    }
    if (change.expectedVersion !== undefined) guards.push(sql`version = ${change.expectedVersion}`);
    guards.push(
      sql`(${sql.join(
        bound.map(({ codec, valueOver }) => codec.differs(ref(codec.column), sql`${valueOver(current)}`)),
        sql` or `,
      )})`,
    );
    // The table's row rules on the row as it would be: a change that breaks one is not applied.
    const after = (field: Field) => {
      const entry = bound.find((candidate) => candidate.field === field);
      return entry ? sql`${entry.valueOver(current)}` : ref(definition.columns[field].column);
    };
    const now = param.timestamptz(context.now);
    guards.push(...(definition.rowRules?.(after, fields, now) ?? []));
    const missing = bound
      .filter(({ field }) => change.set[field] !== null && change.set[field] !== undefined)
      .flatMap(({ field, valueOver }) =>
        Object.entries(definition.referenceChecks ?? {})
          .filter(([, check]) => check.field === field)
          .map(([rule, check]) => sql`when ${check.missing(sql`${valueOver(locked)}`)} then ${rule}`),
      );
    const taken = bound.flatMap(({ field, valueOver }) =>
      Object.entries(definition.uniqueChecks ?? {})
        .filter(([, check]) => check.field === field)
        .map(([rule, check]) => sql`when ${check.taken(sql`${valueOver(locked)}`, param.uuid(id))} then ${rule}`),
    );
    // The caller's rules over the row as the change leaves it: set columns take their new value.
    const afterColumn: RowValue = (column) => {
      const entry = bound.find(({ codec }) => codec.column === column);
      return entry ? sql`${entry.valueOver(locked)}` : ref(`old.${column}`);
    };
    const named = (options.rules ?? []).map(({ rule, holds }) => sql`when not ${holds(afterColumn)} then ${rule}`);
    const rulesBroken = [...missing, ...named, ...taken];
    const conflict = rulesBroken.length > 0 ? sql`case ${sql.join(rulesBroken, sql` `)} end` : sql`cast(null as text)`;

    const assignments = bound.map(({ codec, valueOver }) => sql`${ref(codec.column)} = ${valueOver(locked)}`);
    const changes = bound.map(({ field, codec }) => {
      const before = ref(`old.${codec.column}`) as RawBuilder<unknown>;
      const after = ref(`updated.${codec.column}`) as RawBuilder<unknown>;
      const name = sql.lit(definition.kind.publicNames[field]);
      // Personal content is recorded as changed, never with its values (see AggregateKind.personal).
      const change = definition.kind.personal?.includes(field)
        ? sql`jsonb_build_object('changed', true)`
        : sql`jsonb_build_object('from', ${codec.toJson(before)}, 'to', ${codec.toJson(after)})`;
      return sql`case when ${codec.differs(before, after)} then jsonb_build_object(${name}, ${change}) else '{}'::jsonb end`;
    });
    const lease = claimUntil(context.now);
    // Claimed only when it can be sent at once without overtaking its stream: no earlier event is
    // undelivered, and the statement's snapshot is not older than the row it locked (a writer that
    // committed in between may have left an event this snapshot cannot see; the relay sends it then).
    const claimedUntil = lease
      ? sql`case when (select version from ${table} as seen where seen.id = old.id) = old.version
          and not ${undeliveredInStream(definition.kind.type, sql.ref('old.id'))} then ${lease} end`
      : sql`cast(null as timestamptz)`;
    const facts = definition.eventFacts
      ? sql` || ${definition.eventFacts((column) => ref(`updated.${column}`) as RawBuilder<unknown>)}`
      : sql``;
    const note = options.computed?.note ? sql` || ${options.computed.note(locked)}` : sql``;

    // Always one row: the saved aggregate with its event, or nulls with the unique rule that stopped it.
    return sql<
      Record<string, any> & {
        event_data: Record<string, unknown> | string;
        event_claimed: boolean | string | null;
        conflict_field: string | null;
      }
    >`${reusablePlan}
      with old as (
        select * from ${table} where ${sql.join(guards, sql` and `)} for no key update
      ), conflict as (
        select ${conflict} as field from old
      ), updated as (
        update ${table} as target set ${sql.join(assignments)}, version = old.version + 1, updated_at = ${now}
        from old where target.id = old.id and (select field from conflict) is null
        returning target.*
      ), event as (
        insert into ${tableNamed(EVENTS)} (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data, claimed_until)
        select ${param.uuid(context.eventId)}, ${definition.kind.type}, updated.id, updated.version, ${change.event}, 1, ${now}, ${context.actor},
               jsonb_build_object('changes', ${sql.join(changes, sql` || `)})${facts} || ${param.jsonb(change.note ?? {})}${note},
               ${claimedUntil}
        from updated join old on old.id = updated.id
        returning data, claimed_until is not null as claimed
      )
      select saved.*, (select field from conflict) as conflict_field${readColumns(options.reads, (column) => ref(`saved.${column}`))}
      from (select 1) as one
      left join lateral (select updated.*, event.data as event_data, event.claimed as event_claimed from updated, event) as saved on true`;
  }

  /** The caller's reads as further columns of a write statement's result (`read_<name>`). */
  function readColumns(reads: WriteOptions['reads'], row: RowValue): RawBuilder<unknown> {
    return sql.join(
      Object.entries(reads ?? {}).map(([name, read]) => sql`, ${read(row)} as ${ref(`read_${name}`)}`),
      sql``,
    );
  }

  function readValues(reads: NonNullable<WriteOptions['reads']>, row: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.keys(reads).map((name) => [name, row[`read_${name}`]]));
  }

  /** When immediate delivery is wired over this handle: the end of the claim a write puts on its event. */
  function claimUntil(now: string): RawBuilder<string> | undefined {
    const leaseMs = writeClaimLease(db);
    return leaseMs === undefined ? undefined : param.timestamptz(new Date(Date.parse(now) + leaseMs).toISOString());
  }

  /** The references of `entity` that must exist, each with its rule name and its value bound as SQL. */
  function referencesOf(entity: State) {
    return Object.entries(definition.referenceChecks ?? {}).flatMap(([rule, check]) => {
      const value = entity[check.field];
      if (value === null || value === undefined) return [];
      return [{ rule, missing: check.missing(sql`${definition.columns[check.field].bind(value)}`) }];
    });
  }

  /** Conditions under which a new aggregate may be inserted: everything it refers to exists. */
  function referencesHold(entity: State): RawBuilder<boolean>[] {
    return referencesOf(entity).map(({ missing }) => sql<boolean>`not (${missing})`);
  }

  /**
   * The first rule a value of `entity` breaks, as SQL (null when none): a reference that does not
   * exist, a rule of the caller's that does not hold, else a unique value another live row (not
   * `exceptId`) already holds.
   */
  function takenRule(
    entity: State,
    exceptId: RawBuilder<unknown> | null,
    rules: readonly { rule: string; holds: RawBuilder<boolean> }[] = [],
  ): RawBuilder<string | null> {
    const missing = referencesOf(entity).map(({ rule, missing }) => sql`when ${missing} then ${rule}`);
    const named = rules.map(({ rule, holds }) => sql`when not ${holds} then ${rule}`);
    const taken = Object.entries(definition.uniqueChecks ?? {}).flatMap(([rule, check]) => {
      const value = entity[check.field];
      if (value === null || value === undefined) return [];
      return [sql`when ${check.taken(sql`${definition.columns[check.field].bind(value)}`, exceptId)} then ${rule}`];
    });
    const whens = [...missing, ...named, ...taken];
    return whens.length > 0 ? sql<string | null>`case ${sql.join(whens, sql` `)} end` : sql<null>`cast(null as text)`;
  }

  /** The same question in a statement of its own: it sees rows committed after an earlier statement's snapshot. */
  async function takenNow(
    entity: State,
    exceptId: RawBuilder<unknown> | null,
    rules: readonly { rule: string; holds: RawBuilder<boolean> }[],
  ): Promise<string | null> {
    const { rows } = await sql<{ rule: string | null }>`select ${takenRule(entity, exceptId, rules)} as rule`.execute(db);
    return rows[0]?.rule ?? null;
  }
}

export type AggregateStore<State extends AggregateRoot, Field extends keyof State, EventType extends string> = ReturnType<
  typeof createAggregateStore<State, Field, EventType>
>;
