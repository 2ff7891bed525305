/**
 * Handler CPU per request with the database taken out: the real route-group handlers (routing,
 * auth, validation, the service, Kysely building and compiling the statement, row mapping, the
 * envelope and JSON) over canned result rows, in this one process. What the handler CPU
 * targets measure minus the pg driver and the HTTP server, and far less sensitive to other load
 * on the machine than the full run (issue 17, docs/benchmarks.md).
 *
 *   npx tsx bench/handler-cpu.ts [requests=20000]
 *
 * The canned rows are real: one customer created through the handlers on an in-memory PGlite.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import {
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type DatabaseConnection,
} from 'kysely';
import type { Database } from '../functions/db/database.js';
import { migrateToLatest } from '../functions/db/migrate.js';
import { REUSABLE_PLAN_MARK } from '../functions/db/reusable-plans.js';
import { openPostgresPool } from '../functions/db/postgres-pool.js';
import { createGroupHandlers } from '../functions/group-handlers.js';
import { routeKey, type HttpMethod } from '../functions/http/route.js';
import { createRouteMatcher } from '../functions/http/route-matcher.js';
import { createLogger } from '../functions/logger.js';
import { routes } from '../functions/routes.js';
import { createServices } from '../functions/services.js';
import { buildHttpApiEvent } from '../infra/local/http-api-event.js';
import { ADMIN, BASE } from './in-process.js';

type Row = Record<string, unknown>;

/** One customer row as the database returns it, made through the real handlers on PGlite. */
async function realCustomerRow(): Promise<Row> {
  const opened = await openPostgresPool({ dataDir: 'memory://', maxConnections: 1 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened.pool }) });
  try {
    await migrateToLatest(db);
    const call = callerOf(createServices(db));
    const created = await call('POST', `${BASE}/customers`, { name: 'Olena Kovalenko', email: 'olena@example.com', tags: ['vip'] });
    if (created.statusCode !== 201) throw new Error(`creating the sample customer answered ${created.statusCode}: ${created.body}`);
    const id = (JSON.parse(created.body ?? '{}') as { data: { id: string } }).data.id;
    const { rows } = await sql<Row>`select * from customer_mgmt_customers where id = ${id}::uuid`.execute(db);
    return rows[0]!;
  } finally {
    await db.destroy();
    await opened.close();
  }
}

/** A Kysely whose every statement answers canned rows: an insert's outcome, a change's saved row, else the customer. */
function cannedDatabase(customer: Row): Kysely<Database> {
  const changed = { ...customer, status: 'prospect', event_data: { changes: {} }, event_claimed: null, conflict_field: null };
  const rowsFor = (text: string): Row[] => {
    // Marked statements (functions/db/reusable-plans.ts) start with the mark, then the SQL.
    const statement = text.replace(REUSABLE_PLAN_MARK, '').trimStart();
    if (statement.startsWith('with inserted')) return [{ inserted: 1, conflict: null, read_duplicates: [] }];
    if (statement.startsWith('with old as')) return [changed];
    return [customer];
  };
  const connection: DatabaseConnection = {
    executeQuery: async (query) => ({ rows: rowsFor(query.sql) as never[] }),
    streamQuery: () => {
      throw new Error('not used');
    },
  };
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => ({
        init: async () => undefined,
        acquireConnection: async () => connection,
        beginTransaction: async () => undefined,
        commitTransaction: async () => undefined,
        rollbackTransaction: async () => undefined,
        releaseConnection: async () => undefined,
        destroy: async () => undefined,
      }),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

function callerOf(services: ReturnType<typeof createServices>) {
  const handlers = createGroupHandlers(
    async () => services,
    createLogger('warn', () => {}),
  );
  const match = createRouteMatcher(routes);
  const context = { awsRequestId: 'bench' } as Context;
  /** The API Gateway event of a request, built once so that only the handler is measured. */
  const prepare = (method: HttpMethod, path: string, body?: unknown) => {
    const matched = match(method, path);
    if (matched.kind !== 'matched') throw new Error(`no route ${method} ${path}`);
    const event = buildHttpApiEvent({
      method,
      path,
      rawQueryString: '',
      headers: { host: 'localhost', ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      routeKey: routeKey(matched.route),
      pathParameters: matched.pathParameters,
      requestId: randomUUID(),
      claims: ADMIN,
    });
    return () => handlers[matched.route.group](event, context);
  };
  const call = (method: HttpMethod, path: string, body?: unknown) => prepare(method, path, body)();
  return Object.assign(call, { prepare });
}

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 20_000);
  const customer = await realCustomerRow();
  const call = callerOf(createServices(cannedDatabase(customer)));
  const scenarios: Record<string, (n: number) => ReturnType<typeof call.prepare>> = {
    'get by id': () => call.prepare('GET', `${BASE}/customers/${String(customer.id)}`),
    qualify: () => call.prepare('POST', `${BASE}/customers/${String(customer.id)}/qualify`),
    create: (n) =>
      call.prepare('POST', `${BASE}/customers`, {
        name: 'Olena Kovalenko',
        email: `olena.${n}@example.com`,
        phone: '+380 50 123 4567',
        tags: ['vip'],
        source: 'website',
        tier: 'pro',
      }),
  };
  for (const [name, prepare] of Object.entries(scenarios)) {
    const warm = Array.from({ length: 3_000 }, (_, n) => prepare(n));
    const measured = Array.from({ length: requests }, (_, n) => prepare(3_000 + n));
    for (const send of warm) await send();
    let failed = 0;
    const before = process.cpuUsage();
    for (const send of measured) if ((await send()).statusCode >= 300) failed++;
    const used = process.cpuUsage(before);
    // A refused request takes another path than the one measured: its figure would mean nothing.
    if (failed > 0)
      throw new Error(`${name}: ${failed} of ${requests} requests were not 2xx; the canned rows no longer fit the statements`);
    const us = (used.user + used.system) / requests;
    process.stdout.write(`${name.padEnd(10)} ${us.toFixed(1).padStart(7)} µs handler CPU per request (${requests} requests, all 2xx)\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
