import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupHandlers } from '../../functions/group-handlers.js';
import { fullPath } from '../../functions/http/route.js';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { createLogger } from '../../functions/logger.js';
import { routes } from '../../functions/routes.js';
import { createServices } from '../../functions/services.js';
import { createLocalEventIntake, LOCAL_EVENT_INTAKE } from '../../infra/local/local-event-intake.js';
import { startLocalServer } from '../../infra/local/local-server.js';
import { ADMIN_CLAIMS } from '../support/api-harness.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

describe('the local server at its edges', () => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  const logLines: string[] = [];
  let customer: { id: string; email: string };

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    const logger = createLogger('info', (line) => logLines.push(line));
    const services = createServices(database.db);
    server = await startLocalServer({
      routes,
      handlers: createGroupHandlers(async () => services, logger),
      port: 0,
      logger,
      // Every caller is an admin here: these tests are about HTTP, not tokens.
      authorize: async () => ({ claims: ADMIN_CLAIMS }),
      localEndpoints: { [LOCAL_EVENT_INTAKE]: createLocalEventIntake(createEventConsumer(database.db), logger) },
    });
    const created = await services.customers.create({ name: 'Edge Case', email: 'edge@example.com' }, 'test');
    if (!created.ok) throw new Error(created.error.message);
    customer = created.value.customer;
  });
  afterAll(async () => {
    await server.close();
    await database.close();
  });

  /** One request on `agent` (a kept-alive connection when it has one socket), or how it failed. */
  const send = (agent: Agent | undefined, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}) =>
    new Promise<Answer | string>((resolve) => {
      const req = request(`${server.url}${path}`, { method, agent, headers }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      });
      const timer = setTimeout(() => {
        req.destroy();
        resolve('no answer within 5 s');
      }, 5_000);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (error) => resolve(`failed: ${error.message}`));
      req.end(body);
    });

  it('closes the connection with a 413, so a kept-alive client is not left with a dead connection', async () => {
    for (const [path, size] of [
      ['/api/v1/customer-mgmt/customers', 2 * 1024 * 1024],
      ['/_local/eventbridge', 2 * 1024 * 1024],
    ] as const) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const big = await send(agent, 'POST', path, Buffer.alloc(size, 'x'), { 'content-type': 'application/json' });
      expect(big, path).toMatchObject({ status: 413, headers: { connection: 'close' } });
      expect(await send(agent, 'GET', '/health'), path).toMatchObject({ status: 200 });
      agent.destroy();
    }
  });

  it('logs a client that hangs up mid-request as info, not as an error, and keeps serving', async () => {
    const before = logLines.length;
    const { port } = new URL(server.url);
    for (const path of ['/api/v1/customer-mgmt/customers', '/_local/eventbridge']) {
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
    }
    await expect.poll(() => logLines.slice(before).filter((line) => line.includes('client closed the connection')).length).toBe(2);
    expect(logLines.slice(before).filter((line) => line.includes('"level":"error"'))).toEqual([]);
    expect(await send(undefined, 'GET', '/health')).toMatchObject({ status: 200 });
  });

  it('answers HEAD for every GET route of the route table: the GET’s status and headers, no body', async () => {
    for (const route of routes.filter((candidate) => candidate.method === 'GET')) {
      const path = fullPath(route).replace('{id}', customer.id).replace('{email}', encodeURIComponent(customer.email));
      const get = (await send(undefined, 'GET', path)) as Answer;
      const head = await send(undefined, 'HEAD', path);
      expect(head, path).toMatchObject({ status: get.status, body: '', headers: { 'content-type': get.headers['content-type'] } });
      if (get.headers.etag) expect((head as Answer).headers.etag, path).toBe(get.headers.etag);
    }
    const wrong = (await send(undefined, 'PATCH', '/api/v1/customer-mgmt/customers')) as Answer;
    expect(wrong.headers.allow).toBe('POST, GET, HEAD');
  });

  it('takes events at /_local/eventbridge only as application/json, so a web page cannot post them cross-origin', async () => {
    const event = JSON.stringify({
      id: 'evt-local-1',
      source: 'identity',
      'detail-type': 'UserDeactivated',
      detail: { user_id: customer.id },
    });
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const refused = await send(undefined, 'POST', '/_local/eventbridge', event, contentType ? { 'content-type': contentType } : {});
      expect(refused, String(contentType)).toMatchObject({ status: 400 });
      expect(JSON.parse((refused as Answer).body).error.code).toBe('UNSUPPORTED_CONTENT_TYPE');
    }
    const taken = await send(undefined, 'POST', '/_local/eventbridge', event, { 'content-type': 'application/json; charset=utf-8' });
    expect(taken).toMatchObject({ status: 200 });
    expect(JSON.parse((taken as Answer).body).data.outcome).toBe('applied');
  });
});
