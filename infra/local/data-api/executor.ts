/**
 * Runs statements on one database session with the Data API's timeout rule: a call that takes
 * longer than the statement timeout (45 s on AWS) fails with StatementTimeoutException and its
 * statement is cancelled, unless `continueAfterTimeout` asks for it to run on.
 *
 * On a PostgreSQL server the cancel is the server's own `statement_timeout`. PGlite runs a
 * statement synchronously and ignores `statement_timeout`, so there the rule is applied once the
 * statement is over: its work is rolled back (or, inside a transaction, the transaction is put
 * in the failed state a cancelled statement leaves behind).
 */
import type pg from 'pg';
import { isPostgresError, statementTimeout, type DataApiError } from './errors.js';

export interface Statement {
  readonly text: string;
  readonly values: (string | null)[];
  readonly typeOids: number[];
}

export type RawResult = pg.QueryResult<(string | null)[]>;

/**
 * - `autocommit`: a single statement outside any transaction;
 * - `atomic`: statements outside any transaction that must succeed or fail together;
 * - `transaction`: statements inside the caller's open transaction.
 */
export type Scope = 'autocommit' | 'atomic' | 'transaction';

export interface RunOptions {
  readonly scope: Scope;
  readonly continueAfterTimeout: boolean;
}

export type Outcome =
  | { readonly kind: 'done'; readonly results: RawResult[] }
  /** The call timed out; `settled` resolves once the session is free again. */
  | { readonly kind: 'timedOut'; readonly error: DataApiError; readonly settled: Promise<void> };

const rawText = (value: string): string => value;

/** Query config that keeps every value as the server's text and types parameters explicitly. */
export function rawQuery(statement: Statement): pg.QueryConfig {
  // node-postgres sends `types` (when it is an array) as the Parse message's parameter types,
  // and asks it for result parsers: one object serves both.
  const types = Object.assign([...statement.typeOids], { getTypeParser: () => rawText });
  return {
    text: statement.text,
    values: statement.values,
    types: types as unknown as pg.CustomTypesConfig,
    rowMode: 'array',
    queryMode: 'extended',
  } as pg.QueryConfig;
}

/** Statements that PostgreSQL refuses to run inside a transaction block. */
const OUTSIDE_TRANSACTION =
  /^(begin|start|commit|end|rollback|abort|savepoint|release|prepare\s+transaction|vacuum|checkpoint|alter\s+system|create\s+database|drop\s+database|create\s+tablespace|drop\s+tablespace|(create|drop|reindex)\b.*\bconcurrently\b)/is;

function leadingSql(sql: string): string {
  return sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
}

export const canRunInTransactionBlock = (sql: string): boolean => !OUTSIDE_TRANSACTION.test(leadingSql(sql));

const processId = (client: pg.ClientBase): number | undefined => {
  const id = (client as { processID?: unknown }).processID;
  return typeof id === 'number' ? id : undefined;
};

const isStatementTimeout = (error: unknown): boolean =>
  isPostgresError(error) && error.code === '57014' && /statement timeout/.test(error.message);

export class Executor {
  #serverTimeouts: Promise<boolean> | undefined;
  readonly #sessionTimeouts = new WeakMap<pg.ClientBase, number>();

  constructor(private readonly statementTimeoutMs: number) {}

  /** Forgets what is known of a session's settings (its transaction ended, maybe rolled back). */
  forget(client: pg.ClientBase): void {
    this.#sessionTimeouts.delete(client);
  }

  async run(client: pg.ClientBase, statements: readonly Statement[], options: RunOptions): Promise<Outcome> {
    this.#serverTimeouts ??= client
      .query<{ version: string }>('SELECT version() AS version')
      .then((result) => !/PGlite|emscripten/i.test(result.rows[0]?.version ?? ''))
      .catch((error: unknown) => {
        this.#serverTimeouts = undefined; // ask again on the next call
        throw error;
      });
    return (await this.#serverTimeouts)
      ? this.#runWithServerTimeout(client, statements, options)
      : this.#runThenCheckTime(client, statements, options);
  }

  async #runAll(client: pg.ClientBase, statements: readonly Statement[]): Promise<RawResult[]> {
    const results: RawResult[] = [];
    for (const statement of statements) {
      results.push((await client.query(rawQuery(statement))) as unknown as RawResult);
    }
    return results;
  }

  /** The call's time limit covers all its statements: each later one gets what is left. */
  async #runWithinDeadline(client: pg.ClientBase, statements: readonly Statement[], deadline: number): Promise<RawResult[]> {
    const results: RawResult[] = [];
    for (const [index, statement] of statements.entries()) {
      if (index > 0) {
        const left = Math.floor(deadline - performance.now());
        if (left <= 0) throw statementTimeout(processId(client));
        await this.#setTimeout(client, left);
      }
      results.push((await client.query(rawQuery(statement))) as unknown as RawResult);
    }
    return results;
  }

  async #setTimeout(client: pg.ClientBase, ms: number): Promise<void> {
    if (this.#sessionTimeouts.get(client) === ms) return;
    this.#sessionTimeouts.delete(client);
    await client.query(`SET statement_timeout = ${Math.max(0, Math.floor(ms))}`);
    this.#sessionTimeouts.set(client, ms);
  }

  async #runWithServerTimeout(client: pg.ClientBase, statements: readonly Statement[], options: RunOptions): Promise<Outcome> {
    const wrap = options.scope === 'atomic';
    await this.#setTimeout(client, options.continueAfterTimeout ? 0 : this.statementTimeoutMs);
    if (wrap) await client.query('BEGIN');
    try {
      if (!options.continueAfterTimeout) {
        const results = await this.#runWithinDeadline(client, statements, performance.now() + this.statementTimeoutMs);
        if (wrap) await client.query('COMMIT');
        return { kind: 'done', results };
      }
      const work = this.#runAll(client, statements);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.statementTimeoutMs);
      });
      const first = await Promise.race([work, timedOut]).finally(() => clearTimeout(timer));
      if (first === 'timeout') {
        const settled = work.then(
          async () => {
            if (wrap) await client.query('COMMIT');
          },
          async () => {
            if (wrap) await client.query('ROLLBACK').catch(() => undefined);
          },
        );
        return { kind: 'timedOut', error: statementTimeout(processId(client)), settled };
      }
      if (wrap) await client.query('COMMIT');
      return { kind: 'done', results: first };
    } catch (error) {
      if (wrap) {
        this.forget(client); // settings made inside the rolled-back block are undone
        await client.query('ROLLBACK').catch(() => undefined);
      }
      if (isStatementTimeout(error)) throw statementTimeout(processId(client));
      throw error;
    }
  }

  async #runThenCheckTime(client: pg.ClientBase, statements: readonly Statement[], options: RunOptions): Promise<Outcome> {
    const cancellable = !options.continueAfterTimeout;
    const wrap =
      options.scope === 'atomic' ||
      (options.scope === 'autocommit' && cancellable && statements.every((s) => canRunInTransactionBlock(s.text)));
    if (wrap) await client.query('BEGIN');
    const started = performance.now();
    let results: RawResult[];
    try {
      results = await this.#runAll(client, statements);
    } catch (error) {
      if (wrap) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    const overTime = performance.now() - started > this.statementTimeoutMs;
    if (overTime && cancellable) {
      if (wrap) {
        await client.query('ROLLBACK');
      } else if (options.scope === 'transaction') {
        // leave the transaction failed, as a cancelled statement would
        await client.query('SELECT 1/0').catch(() => undefined);
      }
      throw statementTimeout(processId(client));
    }
    if (wrap) await client.query('COMMIT');
    if (overTime) {
      return { kind: 'timedOut', error: statementTimeout(processId(client)), settled: Promise.resolve() };
    }
    return { kind: 'done', results };
  }
}
