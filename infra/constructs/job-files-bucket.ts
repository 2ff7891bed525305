import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** What differs between the buckets of job files (exports, imports): the prefix, the rule's id, why no access log. */
export interface JobFilesBucketProps {
  readonly prefix: string;
  readonly lifecycleRuleId: string;
  readonly expireAfter?: Duration;
  readonly removalPolicy: RemovalPolicy;
  readonly noAccessLogReason: string;
}

/**
 * A bucket of job files: private (every public access blocked, objects owned by the bucket owner,
 * TLS only), encrypted at rest (S3-managed keys), files under the prefix expiring after a week by
 * default and unfinished multipart uploads cleaned up after a day.
 */
export function jobFilesBucket(scope: Construct, props: JobFilesBucketProps): Bucket {
  const bucket = new Bucket(scope, 'Bucket', {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    versioned: false,
    lifecycleRules: [
      {
        id: props.lifecycleRuleId,
        prefix: props.prefix,
        expiration: props.expireAfter ?? Duration.days(7),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
    removalPolicy: props.removalPolicy,
  });
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: props.noAccessLogReason });
  return bucket;
}

/** Object actions on the prefix only; the prefix's `*` is acknowledged by name (file names are job ids, unknown in advance). */
export function grantOnPrefix(
  bucket: Bucket,
  prefix: string,
  fn: IFunction,
  grant: { readonly sid: string; readonly actions: string[]; readonly reason: string },
): void {
  const role = fn.role!;
  role.addToPrincipalPolicy(
    new PolicyStatement({ sid: grant.sid, effect: Effect.ALLOW, actions: grant.actions, resources: [bucket.arnForObjects(`${prefix}*`)] }),
  );
  const stack = Stack.of(bucket);
  const bucketId = stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnBucket)) as string;
  Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`, reason: grant.reason });
}
