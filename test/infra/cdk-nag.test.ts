import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../infra/config/environments.js';
import { removeSynthOutputs, synthService } from './service-app-fixture.js';

afterAll(removeSynthOutputs);

/** Every acknowledgement in the app, as `rule id → reason`. */
function acknowledgements(scope: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) found.set(`${construct.node.path} ${id}`, reason);
    }
  }
  return found;
}

describe('cdk-nag AwsSolutions', () => {
  it.each(ENVIRONMENT_NAMES)('%s: every finding is fixed or acknowledged', (environment) => {
    const { app } = synthService(environment);

    const report = new AwsSolutionsChecks().validateScope(app);

    expect(
      report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only a known, short list of AwsSolutions findings, each with a written reason', () => {
    const expected = (environment: string, extra: string[] = []) =>
      [
        `CustomerMgmt-${environment}/Api/HttpApi/GET--health Annotation::AwsSolutions-APIG4`,
        `CustomerMgmt-${environment}/Api/HttpApi/GET--openapi.json Annotation::AwsSolutions-APIG4`,
        `CustomerMgmt-${environment}/Database/ReadRoleSecret Annotation::AwsSolutions-SMG4`,
        `CustomerMgmt-${environment}/Database/WriteRoleSecret Annotation::AwsSolutions-SMG4`,
        `CustomerMgmt-${environment}/PrivacyEmailPepper Annotation::AwsSolutions-SMG4`,
        `CustomerMgmt-${environment}/Database/Cluster Annotation::AwsSolutions-RDS6`,
        // A rule target's DLQ is not recognised as a DLQ by SQS3 (the function's DLQ is).
        `CustomerMgmt-${environment}/IdentityEvents/DeliveryDlq Annotation::AwsSolutions-SQS3`,
        `CustomerMgmt-${environment}/OrderEvents/DeliveryDlq Annotation::AwsSolutions-SQS3`,
        // Active tracing's X-Ray statement: no resource-level permissions exist for it.
        ...['ApiRead', 'ApiWrite', 'OutboxRelay', 'Migrate', 'IdentityEvents', 'OrderEvents', 'Analytics', 'Export', 'Import'].map(
          (fn) => `CustomerMgmt-${environment}/Functions/${fn}Role Annotation::AwsSolutions-IAM5[Resource::*]`,
        ),
        // Export files are named by export id: the export function writes and the read function reads `exports/*` only.
        `CustomerMgmt-${environment}/Exports/Bucket Annotation::AwsSolutions-S1`,
        ...['ApiRead', 'Export', 'Import'].map(
          (fn) =>
            `CustomerMgmt-${environment}/Functions/${fn}Role Annotation::AwsSolutions-IAM5[Resource::<ExportsBucket54D5CE64.Arn>/exports/*]`,
        ),
        // Import files are named by import id: the API functions presign PUTs and the import function reads `imports/*` only.
        `CustomerMgmt-${environment}/Imports/Bucket Annotation::AwsSolutions-S1`,
        ...['ApiRead', 'ApiWrite', 'Import'].map(
          (fn) =>
            `CustomerMgmt-${environment}/Functions/${fn}Role Annotation::AwsSolutions-IAM5[Resource::<ImportsBucketB463A28B.Arn>/imports/*]`,
        ),
        // CDK's singleton custom resource that configures the import bucket's upload notification.
        ...[
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          'AwsSolutions-IAM5[Resource::*]',
        ].map((id) => `CustomerMgmt-${environment}/BucketNotificationsHandler050a0587b7544547bf325f094a3db834 Annotation::${id}`),
        ...extra,
      ].sort();

    for (const [environment, extra] of [
      ['dev', ['CustomerMgmt-dev/Database/Cluster Annotation::AwsSolutions-RDS10']],
      ['prod', []],
    ] as const) {
      const acknowledged = [...acknowledgements(synthService(environment).app)].filter(([key]) => key.includes('AwsSolutions-'));

      expect(acknowledged.map(([key]) => key).sort()).toEqual(expected(environment, [...extra]));
      for (const [, reason] of acknowledged) expect(reason.length).toBeGreaterThan(40);
    }
  });

  it('fails synthesis on an unacknowledged finding', () => {
    // An unlogged bucket without TLS enforcement: two findings nobody acknowledged.
    const withBucket = () => synthService('dev', { beforeSynth: (stack) => new Bucket(stack, 'Unreviewed') });

    expect(withBucket).toThrow(/AwsSolutions-S1[\s\S]*AwsSolutions-S10/);
  });
});
