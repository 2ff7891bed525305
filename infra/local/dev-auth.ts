import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import type { Role } from '../../functions/auth/permissions.js';
import { failure, type HttpResponse } from '../../functions/http/responses.js';
import type { Route } from '../../functions/http/route.js';

/** The issuer and audience the local server demands, standing in for the platform's identity provider. */
export const LOCAL_ISSUER = 'https://customer-mgmt.local/dev-issuer';
export const LOCAL_AUDIENCE = 'customer-mgmt';
const ALGORITHM = 'RS256';
type CryptoKey = webcrypto.CryptoKey;

export interface DevKeys {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

/** Loads the development key pair from DATA_DIR, generating it on first use. */
export async function loadOrCreateDevKeys(dataDir: string): Promise<DevKeys> {
  const file = join(dataDir, 'dev-jwt-keys.json');
  if (!existsSync(file)) {
    const pair = await generateKeyPair(ALGORITHM, { extractable: true });
    mkdirSync(dataDir, { recursive: true });
    const stored = { privateKey: await exportJWK(pair.privateKey), publicKey: await exportJWK(pair.publicKey) };
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { privateKey: JWK; publicKey: JWK };
  return {
    privateKey: (await importJWK(stored.privateKey, ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(stored.publicKey, ALGORITHM)) as CryptoKey,
  };
}

export interface TokenRequest {
  readonly roles: readonly Role[];
  readonly sub: string;
  /** Lifetime in seconds. */
  readonly ttlSeconds: number;
}

export function issueDevToken(keys: DevKeys, request: TokenRequest, now = new Date()): Promise<string> {
  return new SignJWT({ roles: [...request.roles] })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(request.sub)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setNotBefore(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(now.getTime() / 1000) + request.ttlSeconds)
    .sign(keys.privateKey);
}

/** API Gateway hands every claim to the Lambda as a string; arrays look like `[a b]`. */
function asAuthorizerClaims(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(' ')}]` : String(value)]),
  );
}

/** What the authorizer decided: claims to hand on, or why the request gets 401. */
export type AuthorizerResult = { readonly claims?: Record<string, string> } | { readonly rejected: string };

/** The 401 API Gateway would send, in our envelope. */
export function unauthorizedResponse(description: string, requestId: string): HttpResponse {
  // Belt and braces: descriptions are fixed words (see rejectionOf), but a header must never carry
  // anything but printable ASCII, or Node refuses to write the response.
  const safe = description.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, "'");
  return failure('UNAUTHORIZED', `Send a valid bearer token in the Authorization header (${safe}).`, requestId, {
    headers: {
      'www-authenticate': `Bearer realm="customer-mgmt", error="invalid_token", error_description="${safe}"`,
    },
  });
}

const CHECKED_CLAIMS = new Set(['iss', 'aud', 'sub', 'exp', 'nbf', 'iat']);

/**
 * Why a token was refused, in fixed words. The JOSE library's own messages quote the token
 * (a `crit` entry, an `alg` value), so they are never shown: a forged header could otherwise put
 * CR/LF or non-Latin-1 text into WWW-Authenticate.
 */
function rejectionOf(error: unknown): string {
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired (exp)';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return typeof claim === 'string' && CHECKED_CLAIMS.has(claim)
        ? `the token's ${claim} claim is not valid`
        : 'a claim of the token is not valid';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token signature does not verify';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the token must be signed with RS256';
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'the token header uses an unsupported algorithm or critical extension';
    default:
      return 'the token is malformed';
  }
}

/**
 * Validates bearer tokens the way API Gateway's JWT authorizer does (signature, iss, aud, exp,
 * nbf; RS256 only) and passes the claims on in the same shape. Public routes need no token.
 */
export function createDevAuthorizer(keys: DevKeys, clock: () => Date = () => new Date()) {
  // An RSA signature check costs more CPU than the request it guards; a token that verified once
  // is trusted again until it expires (the cache keeps the claims and the expiry).
  const verified = new Map<string, { claims: Record<string, string>; expiresAt: number }>();
  return async (route: Route<any, any, any, any>, headers: Record<string, string>): Promise<AuthorizerResult> => {
    if (route.public) return {};
    const header = headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header.trim());
    if (!match) return { rejected: header ? 'the Authorization header is not a bearer token' : 'no bearer token was sent' };
    const cached = verified.get(match[1]!);
    if (cached && cached.expiresAt > clock().getTime()) return { claims: cached.claims };
    try {
      const { payload } = await jwtVerify(match[1]!, keys.publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: [ALGORITHM],
        currentDate: clock(),
        requiredClaims: ['sub', 'exp'],
      });
      const claims = asAuthorizerClaims(payload);
      if (verified.size > 10_000) verified.clear();
      verified.set(match[1]!, { claims, expiresAt: payload.exp! * 1000 });
      return { claims };
    } catch (error) {
      return { rejected: rejectionOf(error) };
    }
  };
}
