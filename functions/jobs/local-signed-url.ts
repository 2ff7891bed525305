import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The local stand-in for an S3 presigned URL: the key, an expiry and an HMAC of both (a secret of
 * this process) in the query of a local server route, which works without a bearer token until
 * it expires. Export downloads and import uploads use it.
 */
export function localUrlSigner(secret: Buffer = randomBytes(32)) {
  const sign = (key: string, expires: string) => createHmac('sha256', secret).update(`${key}\n${expires}`).digest('base64url');
  return {
    url(base: string, key: string, now: Date, ttlSeconds: number): { url: string; expiresAt: Date } {
      const expiresAt = new Date((Math.floor(now.getTime() / 1000) + ttlSeconds) * 1000);
      const expires = String(expiresAt.getTime() / 1000);
      const query = new URLSearchParams({ key, expires, signature: sign(key, expires) });
      return { url: `${base}?${query.toString()}`, expiresAt };
    },
    /** The key of a signed query if it matches `keyPattern`, is signed by this process and has not expired; else why not. */
    verify(query: URLSearchParams, keyPattern: RegExp, now: Date): { ok: true; key: string } | { ok: false; reason: string } {
      const key = query.get('key') ?? '';
      const expires = query.get('expires') ?? '';
      const given = Buffer.from(query.get('signature') ?? '');
      const wanted = Buffer.from(sign(key, expires));
      if (!keyPattern.test(key) || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
        return { ok: false, reason: 'the signature does not match' };
      }
      if (Number(expires) * 1000 < now.getTime()) return { ok: false, reason: 'the URL has expired' };
      return { ok: true, key };
    },
  };
}
