import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrations } from '../../migrations/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupHandlers } from '../../functions/group-handlers.js';
import { createLogger } from '../../functions/logger.js';
import { routes } from '../../functions/routes.js';
import { createServices } from '../../functions/services.js';
import { createDevAuthorizer, issueDevToken, loadOrCreateDevKeys } from '../../infra/local/dev-auth.js';
import { startLocalServer } from '../../infra/local/local-server.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

describe.each(availableDialects())('the local server over HTTP on %s', (dialect) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  const logLines: string[] = [];
  const api = (path: string) => `${server.url}/api/v1/customer-mgmt${path}`;
  let token: string;
  const as = (init: RequestInit = {}): RequestInit => ({
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
  });
  const json = (method: string, body: unknown) =>
    as({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const keysDir = mkdtempSync(join(tmpdir(), 'cm-keys-'));

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    const logger = createLogger('info', (line) => logLines.push(line));
    const services = createServices(database.db);
    await services.salesReps.upsert({ userId: '019b6ec4-774c-70e0-9c2c-7ba19630289d', active: true, at: new Date().toISOString() });
    const keys = await loadOrCreateDevKeys(keysDir);
    token = await issueDevToken(keys, { roles: ['admin'], sub: '019b6ec4-0000-7000-8000-000000000001', ttlSeconds: 600 });
    server = await startLocalServer({
      routes,
      handlers: createGroupHandlers(async () => services, logger),
      port: 0,
      logger,
      authorize: createDevAuthorizer(keys),
    });
  });
  afterAll(async () => {
    await server.close();
    await database.close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('serves the seed flow and logs one structured line per request', async () => {
    const created = await fetch(
      api('/customers'),
      json('POST', { name: 'John Doe', email: 'john@example.com', phone: '+380123456789', source: 'website', tier: 'free' }),
    );
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as any as { data: { id: string } };
    expect(created.headers.get('location')).toBe(`/api/v1/customer-mgmt/customers/${data.id}`);
    await fetch(api(`/customers/${data.id}/assign`), json('PUT', { assigned_to: '019b6ec4-774c-70e0-9c2c-7ba19630289d' }));
    expect((await fetch(api(`/customers/${data.id}/qualify`), as({ method: 'POST' }))).status).toBe(200);
    expect((await fetch(api(`/customers/${data.id}/convert`), as({ method: 'POST' }))).status).toBe(200);
    await fetch(api(`/customers/${data.id}/tier`), json('PUT', { tier: 'pro' }));
    await fetch(api(`/customers/${data.id}/tags`), json('PUT', { tags: ['vip', 'high-value'] }));
    const read = await fetch(api(`/customers/${data.id}`), as());
    expect(read.headers.get('etag')).toBe('"6"');
    expect(((await read.json()) as any).data).toMatchObject({
      status: 'customer',
      tier: 'pro',
      tags: ['vip', 'high-value'],
      assigned_to: '019b6ec4-774c-70e0-9c2c-7ba19630289d',
    });
    const byEmail = await fetch(api('/customers/email/JOHN%40example.com'), as());
    expect(((await byEmail.json()) as any).data.id).toBe(data.id);

    const requestId = read.headers.get('x-request-id');
    const line = logLines.map((entry) => JSON.parse(entry)).find((entry) => entry.request_id === requestId);
    // The same structured line as on Lambda: Powertools Logger's keys, then the fields.
    expect(line).toEqual({
      level: 'INFO',
      timestamp: expect.any(String),
      service: 'customer-mgmt',
      sampling_rate: 0,
      message: 'request',
      method: 'GET',
      path: `/api/v1/customer-mgmt/customers/${data.id}`,
      status: 200,
      ms: expect.any(Number),
      request_id: requestId,
    });
  });

  it('answers 401 with WWW-Authenticate without a valid token', async () => {
    for (const authorization of [undefined, 'Basic YWxhZGRpbjpvcGVuc2VzYW1l', `Bearer ${token}x`]) {
      const response = await fetch(api('/customers'), authorization ? { headers: { authorization } } : {});
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="customer-mgmt", error="invalid_token"/);
      expect(((await response.json()) as any).error.code).toBe('UNAUTHORIZED');
    }
  });

  it('answers readiness only with a token, after checking the database', async () => {
    expect((await fetch(api('/ready'))).status).toBe(401);
    const ready = await fetch(api('/ready'), as());
    expect(ready.status).toBe(200);
    expect((await ready.json()) as any).toEqual({ status: 'success', data: { database: 'up' } });
  });

  it('answers health without a token, and 404/405/413 with the error envelope', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect((await health.json()) as any).toEqual({ status: 'success', data: { status: 'alive' } });

    const unknown = await fetch(`${server.url}/nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('ROUTE_NOT_FOUND');

    const wrongMethod = await fetch(api('/customers'), as({ method: 'PATCH' }));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, GET, HEAD');

    const huge = await fetch(api('/customers'), json('POST', { name: 'x'.repeat(2 * 1024 * 1024), email: 'big@example.com' }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('npm start', () => {
  it('migrates, serves, and shuts down cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cm-start-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      await expect.poll(() => output, { timeout: 60_000, interval: 100 }).toContain('customer-mgmt API listening');
      const started = JSON.parse(output.split('\n').find((line) => line.includes('listening'))!);
      expect(started).toMatchObject({
        url: `http://127.0.0.1:${port}/api/v1/customer-mgmt`,
        database: 'pglite',
        migrations_applied: Object.keys(migrations),
      });
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toMatch(/"message":"shutting down".*"signal":"SIGTERM"/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
