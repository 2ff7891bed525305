import {
  Kysely,
  PostgresDialect,
  PostgresQueryCompiler,
  sql,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type RawNode,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../functions/db/database.js';
import { createDataApiDatabase } from '../../functions/db/data-api-database.js';
import { migrateToLatest } from '../../functions/db/migrate.js';
import { openPostgresPool, type PostgresPool } from '../../functions/db/postgres-pool.js';
import { REUSABLE_PLAN_MARK } from '../../functions/db/reusable-plans.js';
import { refList } from '../../functions/db/sql-names.js';
import { param } from '../../functions/db/sql-values.js';
import { compileCached, statementCacheCounts, statementTemplate } from '../../functions/db/statement-cache.js';
import { LOCAL_CLUSTER } from '../../infra/local/local-data-api.js';
import { BASE, createApiHarness, newCustomerBody } from '../support/api-harness.js';
import { createScratchDatabase } from '../support/test-databases.js';

/**
 * The statement cache (functions/db/statement-cache.ts) sends exactly what Kysely's own compile
 * would: the same SQL text and the same parameters, for pg/PGlite and for the RDS Data API's
 * compiler, whatever order shapes come in, and never one shape's text for another.
 */

/** A Kysely over the RDS Data API's compiler: nothing is sent, statements are only compiled. */
const dataApi = createDataApiDatabase({ ...LOCAL_CLUSTER, endpoint: 'http://127.0.0.1:9' });

const kyselyCompile = (node: RawNode, db: Kysely<Database>) => {
  const { sql: text, parameters } = db.getExecutor().compileQuery(node, { queryId: 'fresh' });
  return { sql: text, parameters };
};

function expectSameAsKysely(statement: { toOperationNode(): RawNode }, db: Kysely<Database>): string {
  const cached = compileCached(statement, db);
  const fresh = kyselyCompile(statement.toOperationNode(), db);
  expect({ sql: cached.sql, parameters: cached.parameters }).toEqual(fresh);
  return cached.sql;
}

describe('the statement cache compiles as Kysely does', () => {
  let opened: PostgresPool;
  let db: Kysely<Database>;
  beforeAll(async () => {
    opened = await openPostgresPool({ dataDir: 'memory://', maxConnections: 1 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened.pool }) });
  });
  afterAll(async () => {
    await db.destroy();
    await opened.close();
    await dataApi.destroy();
  });

  /** Statements of one call site whose texts differ by what they hold, not by their values. */
  const shapes = {
    value: (id: string | null) => sql`select * from t where a = ${param.nullableUuid(id)} and b = ${'x'}`,
    columns: (names: string[]) => sql`insert into t (${refList(names)}) select ${sql.join(names.map((name) => sql`${name}`))}`,
    literal: (limit: number | string) => sql`select 1 limit ${sql.lit(limit)} offset ${1}`,
    raw: (operator: '<' | '>') => sql`select 1 where a ${sql.raw(operator)} ${2}`,
    identifier: (name: string) => sql`select 1 as ${sql.id(name)} where c = ${3}`,
    count: (n: number) => sql`select ${sql.join(Array.from({ length: n }, (_, i) => sql`${i}`))}`,
  };
  const variants = [
    shapes.value('019b6ec4-0000-7000-8000-000000000001'),
    shapes.value(null),
    shapes.columns(['a', 'b']),
    shapes.columns(['a', 'c']),
    shapes.columns(['a', 'b', 'c']),
    shapes.literal(5),
    shapes.literal(6),
    shapes.literal('5'),
    shapes.raw('<'),
    shapes.raw('>'),
    shapes.identifier('first'),
    shapes.identifier('second'),
    shapes.count(1),
    shapes.count(2),
  ];

  it('gives every shape its own text, the same as Kysely compiles, seen first or again, in either dialect', () => {
    for (const target of [db, dataApi]) {
      const before = { ...statementCacheCounts };
      const first = variants.map((statement) => expectSameAsKysely(statement, target));
      const again = [...variants].reverse().map((statement) => expectSameAsKysely(statement, target));
      expect(again.reverse()).toEqual(first);
      expect(new Set(first).size).toBe(variants.length);
      expect(statementCacheCounts.hits - before.hits).toBeGreaterThanOrEqual(variants.length);
    }
  });

  it('binds the values of each request, not those of the statement that was compiled first', () => {
    for (const target of [db, dataApi]) {
      for (const id of ['019b6ec4-0000-7000-8000-00000000000a', '019b6ec4-0000-7000-8000-00000000000b']) {
        const cached = compileCached(shapes.value(id), target);
        expect(cached.parameters).toEqual(kyselyCompile(shapes.value(id).toOperationNode(), target).parameters);
        expect(JSON.stringify(cached.parameters)).toContain(id);
      }
    }
  });

  it('binds a statement template as the builder it was made from would have built it', () => {
    const build = (a: ReturnType<typeof sql>, b: ReturnType<typeof sql> | undefined) =>
      sql`select ${a}, ${sql.lit('lit')}, ${b ?? sql`no b`}, ${'constant'}, ${a} where x in (${sql.join([a, sql`${b ?? 0}`])})`;
    const template = statementTemplate(build);
    const args: [ReturnType<typeof sql>, ReturnType<typeof sql> | undefined][] = [
      [sql`${1}`, sql`cast(${'b'} as text)`],
      [sql`${2}`, undefined],
      [sql`cast(null as uuid)`, sql`${'b2'}`],
      [sql`${3}`, sql`cast(${'b3'} as text)`],
      [sql`${4}`, undefined],
    ];
    for (const target of [db, dataApi]) {
      for (const [a, b] of [...args, ...args]) {
        const cached = compileCached(sql`select (${template(a, b)}) as t`, target);
        const built = kyselyCompile(sql`select (${build(a, b)}) as t`.toOperationNode(), target);
        expect({ sql: cached.sql, parameters: cached.parameters }).toEqual(built);
      }
    }
  });

  it('refuses a template that is not raw SQL (its placeholders could not be found)', () => {
    const template = statementTemplate(
      (a: ReturnType<typeof sql>) =>
        sql`select 1 where ${db
          .selectFrom('customer_mgmt_customers')
          .select('id')
          .where(sql<boolean>`${a}`)}`,
    );
    expect(() => template(sql`${1}`)).toThrow(/raw SQL/);
  });
});

/** Records every statement a Kysely sends through its driver (the driver itself is the real one). */
function recording(inner: Dialect, sent: CompiledQuery[]): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createDriver: () => {
      const driver = inner.createDriver();
      const innerOf = new WeakMap<DatabaseConnection, DatabaseConnection>();
      const unwrap = (connection: DatabaseConnection) => innerOf.get(connection) ?? connection;
      return {
        init: () => driver.init(),
        acquireConnection: async () => {
          const connection = await driver.acquireConnection();
          const wrapped: DatabaseConnection = {
            executeQuery: (query) => {
              sent.push(query);
              return connection.executeQuery(query);
            },
            streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
          };
          innerOf.set(wrapped, connection);
          return wrapped;
        },
        beginTransaction: (connection, settings) => driver.beginTransaction(unwrap(connection), settings),
        commitTransaction: (connection) => driver.commitTransaction(unwrap(connection)),
        rollbackTransaction: (connection) => driver.rollbackTransaction(unwrap(connection)),
        releaseConnection: (connection) => driver.releaseConnection(unwrap(connection)),
        destroy: () => driver.destroy(),
      };
    },
  };
}

const servers = process.env.DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(servers)('the write statements of every aggregate, as sent (%s)', (server) => {
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let opened: PostgresPool;
  let db: Kysely<Database>;
  const sent: CompiledQuery[] = [];
  beforeAll(async () => {
    scratch = server === 'postgres' ? await createScratchDatabase(process.env.DATABASE_URL!) : undefined;
    opened = await openPostgresPool({ databaseUrl: scratch?.url, dataDir: 'memory://', maxConnections: 2 });
    db = new Kysely<Database>({ dialect: recording(new PostgresDialect({ pool: opened.pool }), sent) });
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db.destroy();
    await opened.close();
    await scratch?.drop();
  });

  /** Creates and changes of several shapes: columns null or set, scopes, field sets, numbers of links. */
  async function writes(round: number): Promise<void> {
    const api = createApiHarness(db);
    const ok = async (method: string, path: string, body?: unknown) => {
      const response = await api.call({ method, path, body });
      expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
      return response.body.data;
    };
    const company = await ok('POST', `${BASE}/companies`, { name: `Shapes Ltd ${round}` });
    const plain = await ok('POST', `${BASE}/customers`, newCustomerBody({ name: `Plain ${round}` }));
    const full = await ok(
      'POST',
      `${BASE}/customers`,
      newCustomerBody({
        name: `Full ${round}`,
        phone: `+44 20 7946 00${round}0`,
        tags: ['vip'],
        source: 'website',
        tier: 'pro',
        company_id: company.id,
      }),
    );
    await ok('POST', `${BASE}/customers`, newCustomerBody({ name: `Phone ${round}`, phone: `+44 20 7946 00${round}1` }));
    await ok('PUT', `${BASE}/customers/${plain.id}`, { phone: `+44 20 7946 00${round}2` });
    await ok('PUT', `${BASE}/customers/${full.id}`, { name: `Full renamed ${round}`, company_id: null });
    await ok('PUT', `${BASE}/customers/${full.id}/tags`, { tags: ['vip', `round-${round}`] });
    await ok('POST', `${BASE}/customers/${plain.id}/qualify`);
    const interaction = { type: 'call', occurred_at: '2025-12-01T10:00:00Z', direction: 'inbound' };
    await ok('POST', `${BASE}/interactions`, { ...interaction, links: { customer_ids: [plain.id] } });
    await ok('POST', `${BASE}/interactions`, { ...interaction, links: { customer_ids: [plain.id, full.id], company_id: company.id } });
    await ok('POST', `${BASE}/deals`, { name: `Deal ${round}`, company_id: company.id });
    await ok('PUT', `${BASE}/companies/${company.id}`, { name: `Shapes renamed ${round}` });
  }

  it('sends every marked statement as Kysely compiles it, and compiles no shape twice', async () => {
    await writes(1);
    const before = { ...statementCacheCounts };
    sent.length = 0;
    await writes(2);
    // The second round repeats the first one's shapes with other values: every write statement is a hit.
    const round = { hits: statementCacheCounts.hits - before.hits, misses: statementCacheCounts.misses - before.misses };
    const marked = sent.filter((query) => query.sql.startsWith(REUSABLE_PLAN_MARK));
    expect(marked.length).toBeGreaterThanOrEqual(12);
    const compiler = new PostgresQueryCompiler();
    for (const query of marked) {
      // The node sent with a cached text builds, when Kysely reads it, the tree the statement's builders make.
      const fresh = compiler.compileQuery(query.query, query.queryId);
      expect({ sql: query.sql, parameters: query.parameters }).toEqual({ sql: fresh.sql, parameters: fresh.parameters });
      // And the RDS Data API's compiler gets its own text and typed parameters, the same as Kysely's.
      const node = { toOperationNode: () => query.query as RawNode };
      expectSameAsKysely(node, dataApi);
      expectSameAsKysely(node, dataApi);
    }
    expect(round).toEqual({ hits: marked.length, misses: 0 });
  });
});
