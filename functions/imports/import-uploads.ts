import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { localUrlSigner } from '../jobs/local-signed-url.js';
import { IMPORT_LIMITS } from './import-file.js';

/** How long an upload URL works (S3 presigned PUT and the local signed URL alike). */
export const UPLOAD_URL_TTL_SECONDS = 3600;

/** Where the caller sends the file: a PUT of the raw bytes to `url` before `expires_at`, no bearer token. */
export interface UploadTarget {
  readonly method: 'PUT';
  readonly url: string;
  readonly expires_at: string;
  readonly max_bytes: number;
}

/**
 * Where import files are uploaded to and read from: an S3 bucket on AWS (s3-import-uploads.ts),
 * a folder under DATA_DIR locally. The same interface: the API hands out a URL the file is PUT
 * to (it never passes through API Gateway), the runner streams it back.
 */
export interface ImportUploads {
  uploadUrl(key: string, now: Date): Promise<UploadTarget>;
  /** The file's bytes, streamed. */
  open(key: string): Promise<AsyncIterable<Uint8Array>>;
}

/** The keys of import files: `imports/<uuid>.csv` (the local upload checks a key against it: no path in it). */
export const IMPORT_KEY = /^imports\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.csv$/;
export const importKey = (id: string) => `imports/${id}.csv`;
/** The import id of a file key, or null when the key is not an import file's. */
export const importIdOfKey = (key: string): string | null => IMPORT_KEY.exec(key)?.[1] ?? null;

export class UploadTooLarge extends Error {}

export interface LocalImportUploads extends ImportUploads {
  /**
   * Stores the body of a PUT to a signed upload URL: written to a temporary name and renamed when
   * complete, refused past IMPORT_LIMITS.bytes. Gives the stored key, or why it was refused.
   */
  receive(
    query: URLSearchParams,
    body: Readable,
    now: Date,
  ): Promise<{ ok: true; key: string } | { ok: false; reason: string; tooLarge?: true }>;
}

/** Locally: files under `dir` (DATA_DIR/imports), uploaded to the local server's upload route (`uploadUrl`). */
export function localImportUploads(options: { dir: string; uploadUrl: string; secret?: Buffer }): LocalImportUploads {
  const signer = localUrlSigner(options.secret);
  const pathOf = (key: string) => join(options.dir, key.slice('imports/'.length));
  return {
    async uploadUrl(key, now) {
      const signed = signer.url(options.uploadUrl, key, now, UPLOAD_URL_TTL_SECONDS);
      return { method: 'PUT', url: signed.url, expires_at: signed.expiresAt.toISOString(), max_bytes: IMPORT_LIMITS.bytes };
    },
    async open(key) {
      return createReadStream(pathOf(key));
    },
    async receive(query, body, now) {
      const verified = signer.verify(query, IMPORT_KEY, now);
      if (!verified.ok) return verified;
      await mkdir(options.dir, { recursive: true });
      const partial = `${pathOf(verified.key)}.partial`;
      let size = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(size > IMPORT_LIMITS.bytes ? new UploadTooLarge() : null, chunk);
        },
      });
      try {
        await pipeline(body, limit, createWriteStream(partial));
        await rename(partial, pathOf(verified.key));
      } catch (error) {
        await rm(partial, { force: true });
        if (error instanceof UploadTooLarge) {
          return { ok: false, reason: `the file is over the limit of ${IMPORT_LIMITS.bytes / 1024 / 1024} MiB`, tooLarge: true };
        }
        throw error;
      }
      return { ok: true, key: verified.key };
    },
  };
}
