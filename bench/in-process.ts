/**
 * The in-process bench harness: the real route-group handlers (API Gateway payload 2.0 events, the
 * same routing, auth, parsing and SQL as on Lambda; no HTTP hop) over a fresh database on the
 * PostgreSQL server at DATABASE_URL (dropped afterwards), else PGlite; and a closed-loop load
 * generator that prints p50/p95/p99 and whether the p99 met its target.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../functions/db/database.js';
import { migrateToLatest } from '../functions/db/migrate.js';
import { openPostgresPool } from '../functions/db/postgres-pool.js';
import { createGroupHandlers } from '../functions/group-handlers.js';
import type { HttpResponse } from '../functions/http/responses.js';
import { routeKey, type HttpMethod } from '../functions/http/route.js';
import { createRouteMatcher } from '../functions/http/route-matcher.js';
import { createLogger } from '../functions/logger.js';
import { routes } from '../functions/routes.js';
import { createServices } from '../functions/services.js';
import { buildHttpApiEvent } from '../infra/local/http-api-event.js';
import { createBenchDatabase } from './database.js';
import { round2, Samples } from './stats.js';

export const BASE = '/api/v1/customer-mgmt';
export const ADMIN = { sub: '019b6ec4-0000-7000-8000-00000000ad31', roles: '[admin]' };

export type InProcessCall = (method: HttpMethod, path: string, body?: unknown, claims?: Record<string, string>) => Promise<HttpResponse>;

/** Runs `work` with a migrated database and a caller of the real handlers, then drops the database. */
export async function withInProcessApi(
  concurrency: number,
  work: (api: { db: Kysely<Database>; call: InProcessCall; onServer: boolean }) => Promise<void>,
): Promise<void> {
  const server = process.env.DATABASE_URL ? await createBenchDatabase(process.env.DATABASE_URL) : undefined;
  const opened = await openPostgresPool({ databaseUrl: server?.url, dataDir: 'memory://', maxConnections: concurrency });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened.pool }) });
  try {
    await migrateToLatest(db);
    const services = createServices(db);
    const handlers = createGroupHandlers(
      async () => services,
      createLogger('warn', () => {}),
    );
    const match = createRouteMatcher(routes);
    const call: InProcessCall = async (method, path, body, claims = ADMIN) => {
      const url = new URL(path, 'http://localhost');
      const matched = match(method, url.pathname);
      if (matched.kind !== 'matched') throw new Error(`no route ${method} ${path}`);
      const event = buildHttpApiEvent({
        method,
        path: url.pathname,
        rawQueryString: url.search.slice(1),
        headers: { host: 'localhost', ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        routeKey: routeKey(matched.route),
        pathParameters: matched.pathParameters,
        requestId: randomUUID(),
        claims,
      });
      return handlers[matched.route.group](event, { awsRequestId: randomUUID() } as Context);
    };
    await work({ db, call, onServer: server !== undefined });
  } finally {
    await db.destroy();
    await opened.close();
    await server?.drop();
  }
}

/** Sends `requests` requests, `concurrency` at a time, and prints the latency percentiles against the p99 target. */
export async function measure(
  name: string,
  options: { readonly requests: number; readonly concurrency: number; readonly targetP99Ms: number },
  request: (n: number) => Promise<{ statusCode: number }>,
): Promise<{ p50_ms: number; p95_ms: number; p99_ms: number; errors: number; met: boolean }> {
  const samples = new Samples();
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < options.requests) {
        const n = next++;
        const t0 = performance.now();
        const response = await request(n);
        samples.add(performance.now() - t0);
        if (response.statusCode >= 300) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const { p50_ms, p95_ms, p99_ms } = samples.percentiles();
  const met = p99_ms <= options.targetP99Ms && errors === 0;
  process.stdout.write(
    `${name.padEnd(18)} ${String(options.requests).padStart(5)} requests at concurrency ${options.concurrency}: ` +
      `${round2(options.requests / seconds)} req/s, p50 ${p50_ms} ms, p95 ${p95_ms} ms, p99 ${p99_ms} ms, errors ${errors} — ` +
      `target p99 ≤ ${options.targetP99Ms} ms: ${met ? 'met' : 'MISSED'}\n`,
  );
  return { p50_ms, p95_ms, p99_ms, errors, met };
}
