import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** How long a download URL works (S3 presigned GET and the local signed URL alike). */
export const DOWNLOAD_URL_TTL_SECONDS = 3600;

/**
 * Where export files go: an S3 bucket on AWS (s3-export-storage.ts), a folder under DATA_DIR
 * locally. The same interface: the runner streams the file in, the read route hands out a URL
 * that works without a bearer token for DOWNLOAD_URL_TTL_SECONDS.
 */
export interface ExportStorage {
  /** Streams `chunks` into the object `key`; nothing is visible under `key` unless every chunk was written. */
  write(key: string, contentType: string, chunks: AsyncIterable<string>): Promise<void>;
  downloadUrl(key: string, now: Date): Promise<string>;
}

/** The keys the runner makes: `exports/<uuid>.<csv|jsonl>` (the local download checks a key against it: no path in it). */
export const EXPORT_KEY = /^exports\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(csv|jsonl)$/;
export const exportKey = (id: string, extension: string) => `exports/${id}.${extension}`;

export interface LocalExportStorage extends ExportStorage {
  /** The file of a signed download URL's query, or why it is refused. */
  resolve(query: URLSearchParams, now: Date): { ok: true; path: string; key: string } | { ok: false; reason: string };
}

/**
 * Locally: files under `dir` (DATA_DIR/exports), written to a temporary name and renamed when
 * complete; the download URL is the local server's download route with the key, an expiry and
 * an HMAC of both (a secret of this process), the local stand-in for a presigned S3 GET.
 */
export function localExportStorage(options: { dir: string; downloadUrl: string; secret?: Buffer }): LocalExportStorage {
  const secret = options.secret ?? randomBytes(32);
  const sign = (key: string, expires: string) => createHmac('sha256', secret).update(`${key}\n${expires}`).digest('base64url');
  const pathOf = (key: string) => join(options.dir, key.slice('exports/'.length));
  return {
    async write(key, _contentType, chunks) {
      await mkdir(options.dir, { recursive: true });
      const partial = `${pathOf(key)}.partial`;
      try {
        await pipeline(Readable.from(chunks), createWriteStream(partial));
        await rename(partial, pathOf(key));
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    },
    async downloadUrl(key, now) {
      const expires = String(Math.floor(now.getTime() / 1000) + DOWNLOAD_URL_TTL_SECONDS);
      const query = new URLSearchParams({ key, expires, signature: sign(key, expires) });
      return `${options.downloadUrl}?${query.toString()}`;
    },
    resolve(query, now) {
      const key = query.get('key') ?? '';
      const expires = query.get('expires') ?? '';
      const given = Buffer.from(query.get('signature') ?? '');
      const wanted = Buffer.from(sign(key, expires));
      if (!EXPORT_KEY.test(key) || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
        return { ok: false, reason: 'the signature does not match' };
      }
      if (Number(expires) * 1000 < now.getTime()) return { ok: false, reason: 'the URL has expired; GET /exports/{id} gives a fresh one' };
      return { ok: true, path: pathOf(key), key };
    },
  };
}
