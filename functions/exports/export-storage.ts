import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { localUrlSigner } from '../jobs/local-signed-url.js';

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

/** The keys of the export files (`exports/<uuid>.<csv|jsonl>`) and of import error reports (`exports/import-errors-<uuid>.csv`); the local download checks a key against it: no path in it. */
export const EXPORT_KEY = /^exports\/(import-errors-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(csv|jsonl)$/;
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
  const signer = localUrlSigner(options.secret);
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
      return signer.url(options.downloadUrl, key, now, DOWNLOAD_URL_TTL_SECONDS).url;
    },
    resolve(query, now) {
      const verified = signer.verify(query, EXPORT_KEY, now);
      if (!verified.ok) {
        return {
          ok: false,
          reason: verified.reason === 'the URL has expired' ? 'the URL has expired; GET /exports/{id} gives a fresh one' : verified.reason,
        };
      }
      return { ok: true, path: pathOf(verified.key), key: verified.key };
    },
  };
}
