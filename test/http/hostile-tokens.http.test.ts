import { ERROR_STATUS } from '../../functions/error-status.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, validateHeaderValue } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupHandlers } from '../../functions/group-handlers.js';
import { success } from '../../functions/http/responses.js';
import { createRouteGroupHandler } from '../../functions/http/route-group-handler.js';
import { defineRoute } from '../../functions/http/route.js';
import { createLogger } from '../../functions/logger.js';
import { routes } from '../../functions/routes.js';
import { createServices } from '../../functions/services.js';
import { createDevAuthorizer, loadOrCreateDevKeys, LOCAL_AUDIENCE, LOCAL_ISSUER, type DevKeys } from '../../infra/local/dev-auth.js';
import { startLocalServer } from '../../infra/local/local-server.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const protectedRoute = routes.find((route) => !route.public)!;

/** Text an attacker controls in a token header: CR/LF, characters above U+00FF, quotes, backslashes. */
const hostileText = fc.oneof(
  fc.constantFrom('x\r\nSet-Cookie: a=b', 'é€😀', '"\\', '\u0000', '\u2028', 'ok'),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Forged token headers that make a JOSE library fail with text taken from the token. */
const forgedHeader = fc.oneof(
  hostileText.map((name) => ({ alg: 'RS256', crit: [name], [name]: 1 })),
  hostileText.map((alg) => ({ alg })),
  hostileText.map((kid) => ({ alg: 'RS256', kid, crit: ['b64'], b64: kid })),
  fc.dictionary(hostileText, hostileText, { maxKeys: 3 }).map((header) => ({ alg: 'RS256', ...header })),
);

describe('tokens that try to break the local server', () => {
  let database: TestDatabase;
  let keys: DevKeys;
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  const keysDir = mkdtempSync(join(tmpdir(), 'cm-keys-'));
  const logLines: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    keys = await loadOrCreateDevKeys(keysDir);
    const logger = createLogger('info', (line) => logLines.push(line));
    // A route whose handler returns a header Node refuses to write: the write must be guarded too.
    const badHeader = defineRoute({
      method: 'GET',
      path: '/bad-header',
      public: true,
      group: 'api-read',
      operationId: 'badHeader',
      summary: 'test only',
      response: { status: 200 },
      handle: async () => success(200, { ok: true }, { headers: { 'x-echo': 'a\r\nb' } }),
    });
    const services = createServices(database.db);
    const all = [...routes, badHeader];
    server = await startLocalServer({
      routes: all,
      handlers: {
        'api-read': createRouteGroupHandler(
          all.filter((route) => route.group === 'api-read'),
          async () => services,
          logger,
          ERROR_STATUS,
        ),
        'api-write': createGroupHandlers(async () => services, logger)['api-write'],
      },
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

  /** node:http's client, so that whatever header the server writes is seen as written. */
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = request(`${server.url}${path}`, { headers }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('the authorizer describes a rejection in fixed words, never in text taken from the token', async () => {
    const authorize = createDevAuthorizer(keys);
    await fc.assert(
      fc.asyncProperty(forgedHeader, async (header) => {
        const token = `${b64(header)}.${b64({ sub: 'x', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE })}.AAAA`;
        const result = await authorize(protectedRoute, { authorization: `Bearer ${token}` });
        expect(result).toEqual({ rejected: expect.stringMatching(/^[a-z][\x20-\x7e]*$/) });
        expect(() => validateHeaderValue('www-authenticate', (result as { rejected: string }).rejected)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('answers forged tokens with a 401 whose WWW-Authenticate Node can write, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(forgedHeader, async (header) => {
        const token = `${b64(header)}.${b64({ sub: 'x' })}.AAAA`;
        const response = await get('/api/v1/customer-mgmt/customers', { authorization: `Bearer ${token}` });
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(
          /^Bearer realm="customer-mgmt", error="invalid_token", error_description="[\x20-\x7e]*"$/,
        );
      }),
      { numRuns: 60 },
    );
    const signedWithCrit = await new SignJWT({ sub: 'x', roles: ['admin'] })
      .setProtectedHeader({ alg: 'RS256', crit: ['x\u0100\r\n'] } as never)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime('1h')
      .sign(keys.privateKey)
      .catch(() => `${b64({ alg: 'RS256', crit: ['x\u0100\r\n'] })}.${b64({ sub: 'x' })}.AAAA`);
    expect((await get('/api/v1/customer-mgmt/customers', { authorization: `Bearer ${signedWithCrit}` })).status).toBe(401);
    expect((await get('/health')).status).toBe(200);
  });

  it('a response header Node refuses becomes a 500 envelope, logged, and the server keeps serving', async () => {
    const response = await get('/bad-header');
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body).error.code).toBe('INTERNAL_ERROR');
    expect(logLines.some((line) => /"level":"error"/i.test(line) && line.includes('response could not be written'))).toBe(true);
    expect((await get('/health')).status).toBe(200);
  });
});
