import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { clientSigningIdentity } from '../s3/client-identity.js';
import { s3UrlPresigner } from '../s3/presigned-url.js';
import type { ExportStorage } from './export-storage.js';
import { s3ExportLinks } from './s3-export-links.js';

/** Parts of a multipart upload: S3's minimum, so the runner holds at most a few of them in memory at once. */
const PART_BYTES = 5 * 1024 * 1024;

/**
 * On AWS: the export bucket. The file is streamed in by lib-storage's Upload — one PutObject when
 * it is under one part, a multipart upload otherwise (aborted on failure, so no partial object
 * appears) — and downloaded by a presigned GetObject URL (s3-export-links.ts, signed with the client's credentials).
 */
export function s3ExportStorage(client: S3Client, bucket: string): ExportStorage {
  return {
    ...s3ExportLinks(bucket, s3UrlPresigner(clientSigningIdentity(client))),
    async write(key, contentType, chunks) {
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: Readable.from(chunks), ContentType: contentType },
        partSize: PART_BYTES,
        queueSize: 2,
        leavePartsOnError: false,
      });
      await upload.done();
    },
  };
}
