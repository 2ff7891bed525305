import type { S3UrlPresigner } from '../s3/presigned-url.js';
import { IMPORT_LIMITS } from './import-file.js';
import { UPLOAD_URL_TTL_SECONDS, type ImportUploads } from './import-uploads.js';

/**
 * The import bucket as the API functions use it: presigned upload links only. The files are read by
 * the import function (s3-import-uploads.ts, with the S3 client), which the upload itself starts;
 * leaving the client out keeps it out of the API bundles (issue 17).
 */
export function s3ImportLinks(bucket: string, presign: S3UrlPresigner): ImportUploads {
  return {
    async uploadUrl(key, now) {
      return {
        method: 'PUT',
        url: await presign({ method: 'PUT', bucket, key, expiresInSeconds: UPLOAD_URL_TTL_SECONDS, now }),
        expires_at: new Date(now.getTime() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString(),
        max_bytes: IMPORT_LIMITS.bytes,
      };
    },
    async open(key) {
      throw new Error(`${key}: import files are read by the import function, never by an API function`);
    },
  };
}
