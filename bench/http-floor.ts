/**
 * The HTTP floors: the least an HTTP API in Node can do per request on this machine, measured
 * with the same load generator, so that the gap between PostgreSQL and the service splits into
 * "HTTP in Node" and "our code".
 *
 *   static     — node:http answering every request with a fixed customer-sized JSON body
 *   pg-select  — node:http + pg (same pool size): one primary-key SELECT, the row as JSON
 *
 * Started by run.ts as a child process: node --import tsx bench/http-floor.ts <mode>
 * (DATABASE_URL, DB_POOL_SIZE, PORT in the environment); prints "listening" when ready.
 */
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { childEnv, freePort, waitForExit, type ServerProcess } from './processes.js';
import { PROJECT_ROOT } from './settings.js';

export type FloorMode = 'static' | 'pg-select';

const STATIC_BODY = JSON.stringify({
  status: 'success',
  data: {
    id: '0193fabd-d9b4-742a-9402-ccde6ad16bcc',
    name: 'Jakub Wilson',
    email: 'jakub.wilson.3937@gmail.com',
    phone: '+380501234567',
    status: 'customer',
    tier: 'pro',
    source: 'website',
    assigned_to: '019b6ec4-0000-7000-8000-000000000008',
    tags: ['apac', 'budget-approved'],
    user_id: null,
    company_id: null,
    version: 3,
    churned_at: null,
    created_at: '2024-12-24T22:16:06.324Z',
    updated_at: '2025-03-01T10:00:00.000Z',
  },
});

async function serve(mode: FloorMode): Promise<void> {
  const pool =
    mode === 'pg-select'
      ? new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 16) })
      : undefined;
  const server = createServer((request, response) => {
    if (!pool) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(STATIC_BODY);
      return;
    }
    const id = (request.url ?? '').split('/').pop() ?? '';
    pool.query('select * from customer_mgmt_customers where id = $1 and deleted_at is null', [id]).then(
      ({ rows }) => {
        response.writeHead(rows[0] ? 200 : 404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'success', data: rows[0] ?? null }));
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'error', error: String(error) }));
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void (pool?.end() ?? Promise.resolve()).then(() => process.exit(0));
  });
}

/** Starts a floor server in a child process (answers on any path; the id is the last segment). */
export async function startFloorServer(mode: FloorMode, env: { databaseUrl: string; poolSize: number }): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), mode], {
    cwd: PROJECT_ROOT,
    env: childEnv({ DATABASE_URL: env.databaseUrl, DB_POOL_SIZE: String(env.poolSize), PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${mode} floor server did not start`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the ${mode} floor server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await waitForExit(child, 10_000);
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mode = process.argv[2];
  if (mode !== 'static' && mode !== 'pg-select') {
    process.stderr.write('usage: node --import tsx bench/http-floor.ts static|pg-select\n');
    process.exit(2);
  }
  void serve(mode);
}
