import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';

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
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      lifecycleRules: [
        {
          id: 'ExpireImports',
          prefix: IMPORT_PREFIX,
          expiration: props.expireAfter ?? Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
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

  /** Object actions on the import prefix only; the prefix's `*` is acknowledged by name (file names are import ids). */
  private grant(fn: IFunction, sid: string, actions: string[]): void {
    const role = fn.role!;
    role.addToPrincipalPolicy(
      new PolicyStatement({ sid, effect: Effect.ALLOW, actions, resources: [this.bucket.arnForObjects(`${IMPORT_PREFIX}*`)] }),
    );
    const stack = Stack.of(this);
    const bucketId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)) as string;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${IMPORT_PREFIX}*]`,
      reason: 'Import files are named by import id (imports/<uuid>.csv), unknown in advance; the grant is limited to that prefix.',
    });
  }
}
