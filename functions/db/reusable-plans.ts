import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { shared } from './statement-cache.js';
import type pg from 'pg';

/**
 * Planning a write statement costs PostgreSQL more than running it: the customer create (row,
 * event, uniqueness answer and duplicate candidates in one statement) takes about 0.8 ms of CPU to
 * parse and plan and 0.7 ms to execute, the qualify 0.65 and 0.75 ms (docs/benchmarks.md, "Where
 * PostgreSQL time goes in a write"). A statement that starts with this mark has a plan that does not depend
 * on its parameter values (primary-key and unique-key lookups, LIMITed index reads), so on a
 * PostgreSQL server each connection prepares it once; after its first five executions PostgreSQL
 * (plan_cache_mode = auto) runs one generic plan for it, unless that plan looks costlier than
 * the custom ones. Everything else stays an unnamed statement, planned for its values every time
 * (searches, listings: their best plan depends on the values). Forcing generic plans with a
 * connection setting would not do: it also applies to unnamed extended-protocol statements.
 * On PGlite and the RDS Data API the mark is only a comment.
 */
export const REUSABLE_PLAN_MARK = '/* reusable plan */';

/** Put first in a statement: `sql\`${reusablePlan} with inserted as (…)\``. */
export const reusablePlan = shared(sql.raw(`${REUSABLE_PLAN_MARK} `));

/**
 * How many marked statements one connection keeps prepared. The marked texts come from a few
 * code paths (their variable parts are which columns a change sets and how many events an ack
 * names), so this is never reached in practice; past it, statements are planned each time again.
 */
const PREPARED_PER_CONNECTION = 200;

const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `reusable_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (names.size > 10 * PREPARED_PER_CONNECTION) names.clear();
    names.set(text, name);
  }
  return name;
}

/**
 * What PostgreSQL answers when a prepared statement's result columns changed under it (a
 * migration added a column to a table it reads with `*` or `returning *`). It answers the same for
 * that name on that connection until it is prepared again, so the name is retired there.
 */
function resultTypeChanged(error: unknown): boolean {
  return (error as { code?: unknown })?.code === '0A000' && String((error as Error).message).includes('must not change result type');
}

/**
 * Makes the client send marked statements as named prepared statements: pg parses a name once
 * per connection and from then on only binds and executes it.
 */
export function preparesReusablePlans(client: pg.ClientBase): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const prepared = new Set<string>();
  const retired = new Set<string>();
  (client as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config !== 'string' || !config.startsWith(REUSABLE_PLAN_MARK) || !Array.isArray(values) || callback !== undefined) {
      return query(config, values, callback);
    }
    const name = statementName(config);
    if (retired.has(name)) return query(config, values);
    if (!prepared.has(name)) {
      if (prepared.size >= PREPARED_PER_CONNECTION) return query(config, values);
      prepared.add(name);
    }
    return (query({ name, text: config, values }) as Promise<unknown>).catch((error: unknown) => {
      // This statement fails (the schema changed under it); the next one is planned afresh.
      if (resultTypeChanged(error)) retired.add(name);
      throw error;
    });
  };
}
