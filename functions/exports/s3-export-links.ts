import type { S3UrlPresigner } from '../s3/presigned-url.js';
import { DOWNLOAD_URL_TTL_SECONDS, type ExportStorage } from './export-storage.js';

/**
 * The export bucket as the API functions use it: presigned download links only. The files are
 * written by the export function (s3-export-storage.ts, with the S3 client), which the API hands
 * every export to; leaving the client out keeps it out of the API bundles (issue 17).
 */
export function s3ExportLinks(bucket: string, presign: S3UrlPresigner): ExportStorage {
  return {
    async write(key) {
      throw new Error(`${key}: export files are written by the export function, never by an API function`);
    },
    downloadUrl: (key, now) => presign({ method: 'GET', bucket, key, expiresInSeconds: DOWNLOAD_URL_TTL_SECONDS, now }),
  };
}
