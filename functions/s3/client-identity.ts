import type { S3Client } from '@aws-sdk/client-s3';
import type { SigningIdentity } from './presigned-url.js';

/** The region and credentials an S3 client resolved (the export and import functions presign with their client's). */
export function clientSigningIdentity(client: S3Client): SigningIdentity {
  return {
    region: () => client.config.region(),
    credentials: () => client.config.credentials(),
  };
}
