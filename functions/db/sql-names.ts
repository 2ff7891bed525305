import { sql, type RawBuilder } from 'kysely';
import { shared } from './statement-cache.js';

/**
 * `sql.ref` and `sql.table`, built once per name. Kysely parses the name and builds (and freezes)
 * new nodes on every call, and a write statement names dozens of columns: building them per
 * request was a fifth of a customer create's handler CPU (issue 17, docs/benchmarks.md). Raw
 * builders are immutable, so one per name is shared by every statement (and marked so for the
 * statement cache, which then reads each as one token). Names are the code's own (columns, tables,
 * aliases), never input, so the caches stay small.
 */
const refs = new Map<string, RawBuilder<unknown>>();
const tables = new Map<string, RawBuilder<unknown>>();
const lists = new Map<string, RawBuilder<unknown>>();

/** `sql.ref(name)`: a column, optionally qualified (`alias.column`). */
export function ref(name: string): RawBuilder<unknown> {
  let built = refs.get(name);
  if (!built) refs.set(name, (built = shared(sql.ref(name))));
  return built;
}

/** `sql.table(name)`. */
export function table(name: string): RawBuilder<unknown> {
  let built = tables.get(name);
  if (!built) tables.set(name, (built = shared(sql.table(name))));
  return built;
}

/** The comma-separated refs of `names` (an insert's column list, a select list). */
export function refList(names: readonly string[]): RawBuilder<unknown> {
  const key = names.join(',');
  let built = lists.get(key);
  if (!built) lists.set(key, (built = shared(sql.join(names.map(ref)))));
  return built;
}
