import { sql, type RawBuilder } from 'kysely';
import { MERGE_MOVES } from './merge-tables.js';

/**
 * The merge kit's moves (docs/merge.md): a record type another aggregate's rows point at, declared
 * once, from which the kit builds the SQL that moves those rows from the losers to the survivor
 * with a ledger row each (the moved columns before and after), and the SQL that moves them back on
 * an unmerge, only if nothing changed them since. A new reference to customers or companies is one
 * declaration here; nothing else changes.
 */
export interface RecordMove {
  /** The record type in the ledger and in events (`order`, `deal`, …). */
  readonly record: string;
  readonly table: string;
  readonly key: { readonly column: string; readonly type: 'uuid' | 'text' };
  /** The columns the move changes, and how each is read back from the ledger's JSON. */
  readonly columns: readonly MovedColumn[];
  /** Whether the row (alias `t`) points at any id of `from` (a jsonb array of ids): an index lookup. */
  references(from: RawBuilder<unknown>): RawBuilder<boolean>;
  /** The moved columns' values once every id of `from` is replaced by `to`, over the values `value` gives. */
  moved(
    value: (column: string) => RawBuilder<unknown>,
    from: RawBuilder<unknown>,
    to: RawBuilder<unknown>,
  ): Record<string, RawBuilder<unknown>>;
}

export interface MovedColumn {
  readonly column: string;
  readonly type: 'uuid' | 'jsonb' | 'boolean';
}

/** The columns as one jsonb object, each value from `value`. */
function columnsJson(move: RecordMove, value: (column: string) => RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`jsonb_build_object(${sql.join(move.columns.map(({ column }) => sql`${sql.lit(column)}, ${value(column)}`))})`;
}

/** A moved column's value out of a ledger JSON object, typed like the column. */
function fromJson(json: RawBuilder<unknown>, column: MovedColumn): RawBuilder<unknown> {
  const text = sql`(${json} ->> ${sql.lit(column.column)})`;
  if (column.type === 'uuid') return sql`cast(${text} as uuid)`;
  if (column.type === 'boolean') return sql`cast(${text} as boolean)`;
  return sql`(${json} -> ${sql.lit(column.column)})`;
}

const rowValue = (column: string) => sql.ref(`t.${column}`) as RawBuilder<unknown>;
const keyOf = (move: RecordMove, text: RawBuilder<unknown>) => (move.key.type === 'uuid' ? sql`cast(${text} as uuid)` : text);

/** A uuid column pointing at one record: replaced when it names one of `from`. */
export function replaceId(value: RawBuilder<unknown>, from: RawBuilder<unknown>, to: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`case when cast(${value} as text) in (select jsonb_array_elements_text(${from})) then ${to} else ${value} end`;
}

/** A jsonb array of ids (a set, sorted as the domain sorts ids): each of `from` replaced by `to`, each id once. */
export function replaceInIdSet(value: RawBuilder<unknown>, from: RawBuilder<unknown>, to: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(select coalesce(jsonb_agg(m.id order by m.id collate "C"), '[]'::jsonb) from (
      select distinct case when e.id in (select jsonb_array_elements_text(${from})) then cast(${to} as text) else e.id end as id
      from jsonb_array_elements_text(coalesce(${value}, '[]'::jsonb)) as e(id)) as m)`;
}

/**
 * A jsonb array of objects naming a record in `property`: each naming one of `from` names `to`,
 * order kept; with `unique`, an object naming a record an earlier one already names is dropped.
 */
export function replaceInObjects(
  value: RawBuilder<unknown>,
  property: string,
  from: RawBuilder<unknown>,
  to: RawBuilder<unknown>,
  unique = false,
): RawBuilder<unknown> {
  const name = sql.lit(property);
  const replaced = sql`select case when o.item ->> ${name} in (select jsonb_array_elements_text(${from}))
      then jsonb_set(o.item, array[${name}], to_jsonb(cast(${to} as text))) else o.item end as item, o.n
    from jsonb_array_elements(coalesce(${value}, '[]'::jsonb)) with ordinality as o(item, n)`;
  const kept = unique
    ? sql`select distinct on (r.item ->> ${name}) r.item, r.n from (${replaced}) as r order by r.item ->> ${name}, r.n`
    : replaced;
  return sql`(select coalesce(jsonb_agg(k.item order by k.n), '[]'::jsonb) from (${kept}) as k)`;
}

/** Names unique within one statement for the common table expressions of move number `index`. */
const names = (prefix: string, index: number) => ({
  picked: sql.ref(`${prefix}${index}_picked`),
  moved: sql.ref(`${prefix}${index}_moved`),
  ledger: sql.ref(`${prefix}${index}_ledger`),
  current: sql.ref(`${prefix}${index}_current`),
  restored: sql.ref(`${prefix}${index}_restored`),
  forgotten: sql.ref(`${prefix}${index}_forgotten`),
  kept: sql.ref(`${prefix}${index}_kept`),
});

export interface MoveSql {
  /** Common table expressions (each `name as (...)`), to join with commas into the statement. */
  readonly ctes: readonly RawBuilder<unknown>[];
  /** How many records moved, as a scalar subquery. */
  readonly count: RawBuilder<unknown>;
}

/**
 * Moves every row pointing at a loser (`from`) to the survivor (`to`) and writes its ledger row
 * for `mergeId`. Run after the survivor and losers are locked (a statement of its own, so its
 * snapshot sees every writer that touched them first); the rows it moves are locked as it reads them.
 */
export function moveSql(
  move: RecordMove,
  index: number,
  mergeId: RawBuilder<unknown>,
  from: RawBuilder<unknown>,
  to: RawBuilder<unknown>,
): MoveSql {
  const n = names('move', index);
  const before = columnsJson(move, rowValue);
  const after = columnsJson(move, (column) => move.moved(rowValue, from, to)[column]!);
  // The losers this row pointed at: those whose replacement alone changes it.
  const losers = sql`(select coalesce(jsonb_agg(l.id), '[]'::jsonb) from jsonb_array_elements(${from}) as l(id)
    where ${columnsJson(move, (column) => move.moved(rowValue, sql`jsonb_build_array(l.id)`, to)[column]!)} is distinct from ${before})`;
  const assignments = move.columns.map((column) => sql`${sql.ref(column.column)} = ${fromJson(sql`p.after`, column)}`);
  return {
    ctes: [
      sql`${n.picked} as (
        select t.${sql.ref(move.key.column)} as record_key, ${before} as before, ${after} as after, ${losers} as loser_ids
        from ${sql.table(move.table)} as t where ${move.references(from)}
        for update of t)`,
      sql`${n.moved} as (
        update ${sql.table(move.table)} as t set ${sql.join(assignments)}
        from ${n.picked} as p where t.${sql.ref(move.key.column)} = p.record_key and p.after is distinct from p.before
        returning 1)`,
      sql`${n.ledger} as (
        insert into ${sql.table(MERGE_MOVES)} (merge_id, record_type, record_id, loser_ids, before, after)
        select ${mergeId}, ${sql.lit(move.record)}, cast(p.record_key as text), p.loser_ids, p.before, p.after
        from ${n.picked} as p where p.after is distinct from p.before
        returning 1)`,
    ],
    count: sql`(select count(*) from ${n.ledger})`,
  };
}

export interface RestoreSql {
  /** Common table expressions that read (the ledger rows, the records locked): before `allIntact` is defined. */
  readonly reads: readonly RawBuilder<unknown>[];
  /** Common table expressions that write, each only where `allIntact` holds: after it. */
  readonly writes: readonly RawBuilder<unknown>[];
  /** Whether every record this loser's merge moved still holds what the merge left (else nothing is written). */
  readonly intact: RawBuilder<boolean>;
  /** How many records moved back. */
  readonly count: RawBuilder<unknown>;
}

/** The ledger rows of `mergeId` that concern `loser` for this record type. */
function ledgerRows(move: RecordMove, mergeId: RawBuilder<unknown>, loser: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`select l.record_id, l.loser_ids, l.before, l.after from ${sql.table(MERGE_MOVES)} as l
    where l.merge_id = ${mergeId} and l.record_type = ${sql.lit(move.record)} and l.loser_ids @> jsonb_build_array(cast(${loser} as text))`;
}

/**
 * The records of `move` that the merge moved away from `loser` and that changed since (their
 * moved columns no longer what the merge left, or gone): what makes an unmerge unsafe. A select
 * of (record_type, record_id), at most `limit`.
 */
export function changedSince(
  move: RecordMove,
  mergeId: RawBuilder<unknown>,
  loser: RawBuilder<unknown>,
  limit: number,
): RawBuilder<unknown> {
  return sql`select ${sql.lit(move.record)} as record_type, l.record_id from (${ledgerRows(move, mergeId, loser)}) as l
    where not exists (select 1 from ${sql.table(move.table)} as t
      where t.${sql.ref(move.key.column)} = ${keyOf(move, sql`l.record_id`)} and ${columnsJson(move, rowValue)} = l.after)
    limit ${sql.lit(limit)}`;
}

/**
 * Moves back what the merge `mergeId` moved away from `loser`: each record's columns as they were
 * before the merge, with the losers still merged (`remaining`) replaced by `survivor` as the merge
 * did. Written only where `allIntact` holds (every record of every move still as the merge left
 * it); the records are locked as they are compared. Ledger rows of this loser alone are dropped;
 * rows shared with losers still merged keep those, with what the restore left as `after`.
 */
export function restoreSql(
  move: RecordMove,
  index: number,
  ids: {
    readonly mergeId: RawBuilder<unknown>;
    readonly loser: RawBuilder<unknown>;
    readonly remaining: RawBuilder<unknown>;
    readonly survivor: RawBuilder<unknown>;
  },
  allIntact: RawBuilder<boolean>,
): RestoreSql {
  const n = names('restore', index);
  const restoredValue = columnsJson(
    move,
    (column) =>
      move.moved(
        (name) =>
          fromJson(
            sql`l.before`,
            move.columns.find((candidate) => candidate.column === name)!,
          ),
        ids.remaining,
        ids.survivor,
      )[column]!,
  );
  const assignments = move.columns.map((column) => sql`${sql.ref(column.column)} = ${fromJson(sql`r.value`, column)}`);
  const alone = sql`l.loser_ids = jsonb_build_array(cast(${ids.loser} as text))`;
  return {
    reads: [
      sql`${n.ledger} as (${ledgerRows(move, ids.mergeId, ids.loser)})`,
      sql`${n.current} as (
        select cast(t.${sql.ref(move.key.column)} as text) as record_id, ${columnsJson(move, rowValue)} as current
        from ${sql.table(move.table)} as t
        where t.${sql.ref(move.key.column)} in (select ${keyOf(move, sql`l.record_id`)} from ${n.ledger} as l)
        for update of t)`,
    ],
    writes: [
      sql`${n.restored} as (
        update ${sql.table(move.table)} as t set ${sql.join(assignments)}
        from (select l.record_id, ${restoredValue} as value from ${n.ledger} as l) as r
        where t.${sql.ref(move.key.column)} = ${keyOf(move, sql`r.record_id`)} and ${allIntact}
        returning 1)`,
      sql`${n.forgotten} as (
        delete from ${sql.table(MERGE_MOVES)} as m using ${n.ledger} as l
        where m.merge_id = ${ids.mergeId} and m.record_type = ${sql.lit(move.record)} and m.record_id = l.record_id and ${alone} and ${allIntact}
        returning 1)`,
      sql`${n.kept} as (
        update ${sql.table(MERGE_MOVES)} as m set loser_ids = m.loser_ids - cast(${ids.loser} as text), after = ${restoredValue}
        from ${n.ledger} as l
        where m.merge_id = ${ids.mergeId} and m.record_type = ${sql.lit(move.record)} and m.record_id = l.record_id and not ${alone} and ${allIntact}
        returning 1)`,
    ],
    intact: sql<boolean>`not exists (select 1 from ${n.ledger} as l left join ${n.current} as c using (record_id) where c.current is distinct from l.after)`,
    count: sql`(select count(*) from ${n.restored})`,
  };
}
