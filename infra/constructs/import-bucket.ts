import { Stack, Validations, type Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { EventType, type Bucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { grantOnPrefix, jobFilesBucket } from './job-files-bucket.js';

export interface ImportBucketProps {
  /** Import files are deleted this long after they were uploaded (an import runs within hours). */
  readonly expireAfter?: Duration;
  readonly removalPolicy: RemovalPolicy;
}

/** Where the files are uploaded, under this prefix only (the grants and the notification name it). */
export const IMPORT_PREFIX = 'imports/';

/**
 * The bucket of import files: private (every public access blocked, objects owned by the bucket
 * owner, TLS only), encrypted at rest (S3-managed keys), files expiring after a week and
 * unfinished multipart uploads cleaned up after a day. Files arrive by presigned PUT URLs the API
 * signs (so the API functions may put objects, and only that); their upload notifies the import
 * function, which may only read them.
 */
export class ImportBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ImportBucketProps) {
    super(scope, id);
    this.bucket = jobFilesBucket(this, {
      prefix: IMPORT_PREFIX,
      lifecycleRuleId: 'ExpireImports',
      expireAfter: props.expireAfter,
      removalPolicy: props.removalPolicy,
      noAccessLogReason:
        'Import files live a week and are only written through presigned URLs the API hands out after its own access check (which the API access log records); server access logs would add a second bucket for no new audit trail.',
    });
  }

  /** The import function runs when a file is uploaded (`imports/<id>.csv`). */
  notifyOnUpload(fn: IFunction): void {
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { prefix: IMPORT_PREFIX, suffix: '.csv' });
    // CDK configures the notification through its own singleton custom resource (a small function of the stack).
    const handler = Stack.of(this).node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    if (handler) {
      Validations.of(handler).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            "CDK's own bucket-notification custom resource runs once per deploy with the basic execution role; it writes only its logs.",
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            "CDK's own bucket-notification custom resource sets s3:PutBucketNotification; CDK grants it on * and it runs only during deploys.",
        },
      );
    }
  }

  /** An API function: puts objects, so that the PUT URLs it presigns for POST /imports and GET /imports/{id} are honoured. */
  grantPresignedUpload(fn: IFunction): void {
    this.grant(fn, 'PresignImportUploads', ['s3:PutObject']);
  }

  /** The import function: reads the uploaded files, nothing else. */
  grantRead(fn: IFunction): void {
    this.grant(fn, 'ReadImports', ['s3:GetObject']);
  }

  private grant(fn: IFunction, sid: string, actions: string[]): void {
    grantOnPrefix(this.bucket, IMPORT_PREFIX, fn, {
      sid,
      actions,
      reason: 'Import files are named by import id (imports/<uuid>.csv), unknown in advance; the grant is limited to that prefix.',
    });
  }
}
