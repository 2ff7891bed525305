import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { issueDevToken, loadOrCreateDevKeys } from '../../infra/local/dev-auth.js';
import { spawnLocalServer } from '../support/local-process.js';
import { createScratchDatabase } from '../support/test-databases.js';

const BURST = 400;
const CONCURRENCY = 16;

/**
 * Chaos on a real PostgreSQL server: while `npm start` takes a burst of creates, every backend
 * of its database is terminated (pg_terminate_backend) again and again. The process must survive,
 * every request must answer 201 or 503 with Retry-After, and every acknowledged create must be
 * there afterwards. Runs in both local database modes: pg directly, and the Data API path (the
 * local Data API endpoint's own pool is the one that loses its connections there).
 */
describe.skipIf(!process.env.DATABASE_URL).each(['direct', 'data-api'])('dropped database connections (DB_MODE=%s)', (mode) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('the process survives, failed requests are 503 with Retry-After, acknowledged creates are kept', async () => {
    const scratch = await createScratchDatabase(process.env.DATABASE_URL!);
    cleanups.push(() => scratch.drop());
    const dataDir = mkdtempSync(join(tmpdir(), 'cm-chaos-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const server = spawnLocalServer({
      DATABASE_URL: scratch.url,
      DATA_DIR: dataDir,
      DB_MODE: mode,
      DB_POOL_SIZE: '8',
      EVENTS_RELAY_INTERVAL_MS: '200',
    });
    cleanups.push(async () => void (await server.stop()));
    await server.listening();
    const token = await issueDevToken(await loadOrCreateDevKeys(dataDir), {
      roles: ['admin'],
      sub: '019b6ec4-0000-7000-8000-00000000c4a0',
      ttlSeconds: 600,
    });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const api = `${server.url}/api/v1/customer-mgmt`;

    const databaseName = new URL(scratch.url).pathname.slice(1);
    const killer = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await killer.connect();
    cleanups.push(() => killer.end());
    let killing = true;
    let terminated = 0;
    const killing$ = (async () => {
      while (killing) {
        const { rows } = await killer.query<{ killed: boolean }>(
          'select pg_terminate_backend(pid) as killed from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [databaseName],
        );
        terminated += rows.filter((row) => row.killed).length;
        await new Promise((resolve) => setTimeout(resolve, 15 + Math.random() * 20));
      }
    })();

    const outcomes: { n: number; status: number; retryAfter: string | null; id?: string; code?: string }[] = [];
    const networkErrors: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < BURST) {
        const n = next++;
        try {
          const response = await fetch(`${api}/customers`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ name: `Chaos ${n}`, email: `chaos.${n}@example.com` }),
          });
          const body = (await response.json()) as { data?: { id: string }; error?: { code: string } };
          outcomes.push({
            n,
            status: response.status,
            retryAfter: response.headers.get('retry-after'),
            id: body.data?.id,
            code: body.error?.code,
          });
        } catch (error) {
          networkErrors.push(String(error));
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    killing = false;
    await killing$;

    const created = outcomes.filter((outcome) => outcome.status === 201);
    const failed = outcomes.filter((outcome) => outcome.status !== 201);
    // The numbers the report quotes.
    console.info(
      `chaos ${mode}: ${BURST} creates, ${created.length} created, ${failed.length} answered 503, ${terminated} backends terminated, process alive: ${server.alive()}`,
    );
    expect(networkErrors).toEqual([]);
    expect(server.alive()).toBe(true);
    expect(terminated).toBeGreaterThan(0);
    for (const outcome of failed) {
      expect(outcome).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: expect.stringMatching(/^\d+$/) });
    }
    // No request failed as a bug (the relay's own runs may fail and log while connections drop).
    expect(server.output()).not.toContain('"message":"unhandled error"');
    expect(server.output()).not.toContain('"message":"local server failure"');

    // Once the connections stop dropping, the service answers again and kept every acknowledged create.
    await expect.poll(async () => (await fetch(`${server.url}/health`)).status, { timeout: 10_000 }).toBe(200);
    const check = new pg.Client({ connectionString: scratch.url });
    await check.connect();
    cleanups.push(() => check.end());
    const { rows } = await check.query<{ id: string; events: string }>(
      `select c.id, (select count(*) from customer_mgmt_events e where e.customer_id = c.id) as events
       from customer_mgmt_customers c where c.id = any($1::uuid[])`,
      [created.map((outcome) => outcome.id)],
    );
    expect(rows).toHaveLength(created.length);
    expect(rows.every((row) => Number(row.events) === 1)).toBe(true);
    // A connection dropped after COMMIT but before the answer: 503, yet applied (measured, not asserted).
    const unknownOutcome = await check.query<{ count: string }>('select count(*) from customer_mgmt_customers where email = any($1)', [
      failed.map((outcome) => `chaos.${outcome.n}@example.com`),
    ]);
    console.info(`chaos ${mode}: ${unknownOutcome.rows[0]!.count} of the 503s had committed before the connection dropped`);
    expect(await server.stop()).toBe(0);
  }, 180_000);
});
