import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantOnPrefix, jobFilesBucket } from './job-files-bucket.js';

export interface ExportBucketProps {
  /** Export files are deleted this long after they were written (a download URL lives an hour). */
  readonly expireAfter?: Duration;
  readonly removalPolicy: RemovalPolicy;
}

/** Where the files go, under this prefix only (the grants name it). */
export const EXPORT_PREFIX = 'exports/';

/**
 * The bucket of export files: private (every public access blocked, objects owned by the bucket
 * owner, TLS only), encrypted at rest (S3-managed keys), files expiring after a week and
 * unfinished multipart uploads cleaned up after a day. Only the export function writes; the read
 * function may only read, which is what lets the download URLs it presigns work.
 */
export class ExportBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ExportBucketProps) {
    super(scope, id);
    this.bucket = jobFilesBucket(this, {
      prefix: EXPORT_PREFIX,
      lifecycleRuleId: 'ExpireExports',
      expireAfter: props.expireAfter,
      removalPolicy: props.removalPolicy,
      noAccessLogReason:
        'Export files live a week and are only reached through presigned URLs the API hands out after its own access check (which the API access log records); server access logs would add a second bucket for no new audit trail.',
    });
  }

  /** The export function: writes files (single or multipart uploads, aborted on failure), nothing else. */
  grantWrite(fn: IFunction): void {
    this.grant(fn, 'WriteExports', ['s3:PutObject', 's3:AbortMultipartUpload']);
  }

  /** The read function: reads files, so that the GET URLs it presigns for GET /exports/{id} are honoured. */
  grantPresignedRead(fn: IFunction): void {
    this.grant(fn, 'PresignExportDownloads', ['s3:GetObject']);
  }

  private grant(fn: IFunction, sid: string, actions: string[]): void {
    grantOnPrefix(this.bucket, EXPORT_PREFIX, fn, {
      sid,
      actions,
      reason: 'Export files are named by export id (exports/<uuid>.csv|jsonl), unknown in advance; the grant is limited to that prefix.',
    });
  }
}
