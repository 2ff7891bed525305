import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSPKI, SignJWT, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes.js';
import {
  createDevAuthorizer,
  issueDevToken,
  loadOrCreateDevKeys,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  type DevKeys,
} from '../../infra/local/dev-auth.js';

const protectedRoute = routes.find((route) => !route.public)!;
const healthRoute = routes.find((route) => route.public)!;
const SUB = '019b6ec4-0000-7000-8000-000000000042';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the local JWT authorizer', () => {
  let dir: string;
  let keys: DevKeys;
  let authorize: ReturnType<typeof createDevAuthorizer>;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const claims = (overrides: Record<string, unknown> = {}) => ({
    roles: ['admin'],
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    sub: SUB,
    exp: Math.floor(Date.now() / 1000) + 600,
    nbf: Math.floor(Date.now() / 1000) - 5,
    ...overrides,
  });
  const sign = (payload: Record<string, unknown>) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256' }).sign(keys.privateKey);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cm-auth-'));
    keys = await loadOrCreateDevKeys(dir);
    authorize = createDevAuthorizer(keys);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a token from npm run token and hands on the claims as API Gateway does', async () => {
    const token = await issueDevToken(keys, { roles: ['sales_rep', 'viewer'], sub: SUB, ttlSeconds: 60 });
    const result = await authorize(protectedRoute, bearer(token));
    expect(result).toEqual({
      claims: expect.objectContaining({
        sub: SUB,
        roles: '[sales_rep viewer]',
        iss: LOCAL_ISSUER,
        aud: LOCAL_AUDIENCE,
        exp: expect.stringMatching(/^\d+$/),
      }),
    });
  });

  it('keeps the key pair across restarts', async () => {
    const token = await issueDevToken(keys, { roles: ['admin'], sub: SUB, ttlSeconds: 60 });
    const reloaded = createDevAuthorizer(await loadOrCreateDevKeys(dir));
    expect(await reloaded(protectedRoute, bearer(token))).toHaveProperty('claims');
  });

  it('stops trusting a verified token once it expires', async () => {
    let now = Date.now();
    const timed = createDevAuthorizer(keys, () => new Date(now));
    const token = await issueDevToken(keys, { roles: ['admin'], sub: SUB, ttlSeconds: 30 }, new Date(now));
    expect(await timed(protectedRoute, bearer(token))).toHaveProperty('claims');
    expect(await timed(protectedRoute, bearer(token))).toHaveProperty('claims');
    now += 31_000;
    expect(await timed(protectedRoute, bearer(token))).toEqual({ rejected: expect.stringContaining('exp') });
  });

  it('lets health through without a token', async () => {
    expect(await authorize(healthRoute, {})).toEqual({});
  });

  it.each([
    ['no token', async () => ({})],
    ['a Basic header', async () => ({ authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' })],
    ['an expired token', async () => bearer(await sign(claims({ exp: Math.floor(Date.now() / 1000) - 120 })))],
    ['a token not yet valid', async () => bearer(await sign(claims({ nbf: Math.floor(Date.now() / 1000) + 600 })))],
    ['the wrong issuer', async () => bearer(await sign(claims({ iss: 'https://evil.example.com' })))],
    ['the wrong audience', async () => bearer(await sign(claims({ aud: 'another-service' })))],
    ['no expiry', async () => bearer(await sign(claims({ exp: undefined })))],
    ['alg none', async () => bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`)],
    [
      'HS256 signed with the public key',
      async () => {
        const publicPem = await exportSPKI(keys.publicKey);
        const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}`;
        return bearer(`${unsigned}.${createHmac('sha256', publicPem).update(unsigned).digest('base64url')}`);
      },
    ],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await sign(claims({ roles: ['viewer'] }))).split('.');
        return bearer(`${header}.${b64(claims({ roles: ['admin'] }))}.${signature}`);
      },
    ],
    [
      'a token signed by another key',
      async () => {
        const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const key = await importPKCS8(other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'RS256');
        return bearer(await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).sign(key));
      },
    ],
  ])('rejects %s', async (_name, headers) => {
    const result = await authorize(protectedRoute, await headers());
    expect(result).toEqual({ rejected: expect.any(String) });
  });
});
