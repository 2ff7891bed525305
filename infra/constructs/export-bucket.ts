import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

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
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      lifecycleRules: [
        {
          id: 'ExpireExports',
          prefix: EXPORT_PREFIX,
          expiration: props.expireAfter ?? Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
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

  /** Object actions on the export prefix only; the prefix's `*` is acknowledged by name (file names are export ids). */
  private grant(fn: IFunction, sid: string, actions: string[]): void {
    const role = fn.role!;
    role.addToPrincipalPolicy(
      new PolicyStatement({ sid, effect: Effect.ALLOW, actions, resources: [this.bucket.arnForObjects(`${EXPORT_PREFIX}*`)] }),
    );
    const stack = Stack.of(this);
    const bucketId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)) as string;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${EXPORT_PREFIX}*]`,
      reason: 'Export files are named by export id (exports/<uuid>.csv|jsonl), unknown in advance; the grant is limited to that prefix.',
    });
  }
}
