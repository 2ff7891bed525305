import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { clientSigningIdentity } from '../s3/client-identity.js';
import { s3UrlPresigner } from '../s3/presigned-url.js';
import { IMPORT_LIMITS, ImportFileError } from './import-file.js';
import type { ImportUploads } from './import-uploads.js';
import { s3ImportLinks } from './s3-import-links.js';

/**
 * On AWS: the import bucket. The caller PUTs the file to a presigned PutObject URL (the upload's
 * ObjectCreated notification starts the import function); the runner streams it back with
 * GetObject, refusing an object over the limit before reading it (a presigned PUT cannot cap the size).
 */
export function s3ImportUploads(client: S3Client, bucket: string): ImportUploads {
  return {
    uploadUrl: s3ImportLinks(bucket, s3UrlPresigner(clientSigningIdentity(client))).uploadUrl,
    async open(key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((object.ContentLength ?? 0) > IMPORT_LIMITS.bytes) {
        (object.Body as Readable | undefined)?.destroy();
        throw new ImportFileError(`the file is over the limit of ${IMPORT_LIMITS.bytes / 1024 / 1024} MiB; split it and import the parts`);
      }
      if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return object.Body as Readable;
    },
  };
}
