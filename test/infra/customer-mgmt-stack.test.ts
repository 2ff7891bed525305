import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeKey, ROUTE_GROUPS, type RouteGroup } from '../../functions/http/route.js';
import { routes } from '../../functions/routes.js';
import { API_RESUME_RETRY, BACKGROUND_RESUME_RETRY } from '../../functions/db/resilient-data-api-client.js';
import { METRICS } from '../../functions/metric-names.js';
import { SUBSCRIBED_EVENTS } from '../../functions/integration/event-consumer.js';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/customer-http-api.js';
import { CONSUMER_METRICS, ServiceAlarms } from '../../infra/constructs/service-alarms.js';
import { EVENT_CONSUMERS } from '../../infra/stacks/customer-mgmt-stack.js';
import {
  logicalId,
  removeSynthOutputs,
  resolved,
  resources,
  scratchApp,
  synthService,
  type SynthesizedService,
} from './service-app-fixture.js';

let dev: SynthesizedService;
let staging: SynthesizedService;
let prod: SynthesizedService;

beforeAll(() => {
  dev = synthService('dev');
  staging = synthService('staging');
  prod = synthService('prod');
});
afterAll(removeSynthOutputs);

/** The statements of the one policy attached to a function's role. */
function statementsOf({ stack, template }: SynthesizedService, fnId: string): unknown[] {
  const fn = stack.node.findChild('Functions').node.findChild(fnId);
  const roleId = logicalId(fn.node.scope!.node.findChild(`${fnId}Role`));
  const attached = Object.values(resources(template, 'AWS::IAM::Policy')).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })),
  );
  // The role's default policy, and (the analytics function) an inline one for invoking itself.
  expect(attached.length).toBeGreaterThanOrEqual(1);
  const statements = attached.flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
  // Active tracing's statement, the only one with "*" (X-Ray has no resource-level permissions).
  expect(statements.filter(isXRay)).toEqual([
    { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
  ]);
  return statements.filter((statement) => !isXRay(statement));
}

function isXRay(statement: { Action: unknown }): boolean {
  return JSON.stringify(statement.Action).includes('xray:');
}

/** The version's logical id carries a hash of the function's configuration. */
function migrateVersionId({ stack, template }: SynthesizedService): string {
  const versions = Object.entries(resources(template, 'AWS::Lambda::Version')).filter(
    ([, version]) => version.Properties.FunctionName.Ref === logicalId(stack.migrateFunction),
  );
  expect(versions).toHaveLength(1);
  return versions[0]![0];
}

describe('API routes come from the route table', () => {
  it('creates exactly one route per route-table entry', () => {
    const routeKeys = Object.values(resources(dev.template, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties.RouteKey);

    expect(routeKeys.sort()).toEqual(routes.map(routeKey).sort());
  });

  it.each(routes.map((route) => [routeKey(route), route] as const))('%s: authorizer and target function', (key, route) => {
    const { stack, template } = dev;
    const [apiRoute] = Object.values(resources(template, 'AWS::ApiGatewayV2::Route')).filter(
      (candidate) => candidate.Properties.RouteKey === key,
    );
    const integrationId = apiRoute!.Properties.Target['Fn::Join'][1][1].Ref as string;
    const integration = resources(template)[integrationId]!;

    if (route.public) {
      expect(apiRoute!.Properties.AuthorizationType).toBe('NONE');
    } else {
      expect(apiRoute!.Properties).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: logicalId(stack.api.node.findChild('HttpApi').node.findChild('JwtAuthorizer')) },
      });
    }
    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(stack.routeGroupFunctions[route.group]), 'Arn'] },
    });
  });

  it('validates issuer and audience from the environment config', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: dev.stack.config.auth.issuer, Audience: [...dev.stack.config.auth.audience] },
    });
  });

  it('throttles the stage from config and writes JSON access logs', () => {
    for (const { stack, template } of [dev, prod]) {
      const [stage] = Object.values(resources(template, 'AWS::ApiGatewayV2::Stage'));
      expect(stage!.Properties).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: {
          ThrottlingRateLimit: stack.config.api.throttle.rateLimit,
          ThrottlingBurstLimit: stack.config.api.throttle.burstLimit,
        },
        AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logicalId(stack.api.accessLogs), 'Arn'] } },
      });
      expect(JSON.parse(stage!.Properties.AccessLogSettings.Format)).toEqual(ACCESS_LOG_FIELDS);
    }
  });

  it('answers CORS preflights for the configured origins', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [...dev.stack.config.api.cors.allowOrigins],
        AllowHeaders: Match.arrayWith(['authorization', 'content-type', 'if-match']),
      }),
    });
  });
});

describe('functions', () => {
  const fnIds = { 'api-read': 'ApiRead', 'api-write': 'ApiWrite' } satisfies Record<RouteGroup, string>;

  it.each([...ROUTE_GROUPS.map((group) => fnIds[group]), 'OutboxRelay', 'Migrate', 'IdentityEvents', 'OrderEvents', 'Analytics', 'Export'])(
    '%s runs Node.js 24 on arm64 with JSON logs',
    (fnId) => {
      const fn = dev.stack.node.findChild('Functions').node.findChild(fnId);
      const { Properties } = resources(dev.template)[logicalId(fn)]!;

      expect(Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: {
          LogFormat: 'JSON',
          ApplicationLogLevel: 'DEBUG',
          LogGroup: { Ref: logicalId(dev.stack.node.findChild('Functions').node.findChild(`${fnId}Logs`)) },
        },
      });
      expect(Properties.VpcConfig).toBeUndefined();
      expect(Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    },
  );

  it.each([
    ['ApiRead', 28, API_RESUME_RETRY],
    ['ApiWrite', 28, API_RESUME_RETRY],
    ['OutboxRelay', 90, BACKGROUND_RESUME_RETRY],
    ['IdentityEvents', 90, BACKGROUND_RESUME_RETRY],
    ['OrderEvents', 90, BACKGROUND_RESUME_RETRY],
    ['Migrate', 300, BACKGROUND_RESUME_RETRY],
    ['Analytics', 900, BACKGROUND_RESUME_RETRY],
    ['Export', 900, BACKGROUND_RESUME_RETRY],
  ] as const)('%s: a %i s timeout leaves room for its Data API resume budget', (fnId, timeout, retry) => {
    const fn = resources(dev.template)[logicalId(dev.stack.node.findChild('Functions').node.findChild(fnId))]!;

    expect(fn.Properties.Timeout).toBe(timeout);
    expect(fn.Properties.Environment.Variables.DB_RESUME_BUDGET_MS).toBe(String(retry.budgetMs));
    // The budget, then the statements themselves, must fit in the timeout; API Gateway gives up at 30 s.
    expect(retry.budgetMs + 5_000).toBeLessThanOrEqual(timeout * 1000);
    if (fnId.startsWith('Customers')) expect(timeout).toBeLessThan(30);
  });

  it('traces every function with X-Ray (Powertools Tracer records the AWS calls)', () => {
    for (const fnId of ['ApiRead', 'ApiWrite', 'OutboxRelay', 'Migrate', 'IdentityEvents', 'OrderEvents', 'Analytics', 'Export']) {
      const fn = resources(dev.template)[logicalId(dev.stack.node.findChild('Functions').node.findChild(fnId))]!;
      expect(fn.Properties.TracingConfig, fnId).toEqual({ Mode: 'Active' });
    }
  });

  it('gives each function exactly the environment it reads', () => {
    const { stack, template } = dev;
    const database = {
      DB_CLUSTER_ARN: resolved(stack, stack.database.cluster.clusterArn),
      DB_NAME: 'customer_mgmt',
      LOG_LEVEL: 'debug',
      SERVICE_NAME: 'customer-mgmt-dev',
      ENVIRONMENT_NAME: 'dev',
    };
    const variables = (fnId: string) =>
      resources(template)[logicalId(stack.node.findChild('Functions').node.findChild(fnId))]!.Properties.Environment.Variables;

    const api = { ...database, DB_RESUME_BUDGET_MS: String(API_RESUME_RETRY.budgetMs) };
    const background = { ...database, DB_RESUME_BUDGET_MS: String(BACKGROUND_RESUME_RETRY.budgetMs) };
    const secretOf = (user: 'read' | 'write') => ({ DB_SECRET_ARN: resolved(stack, stack.database.roleSecrets[user].secretArn) });

    const exportBucket = { EXPORT_BUCKET: { Ref: logicalId(stack.exportBucket.bucket) } };
    const importBucket = { IMPORT_BUCKET: { Ref: logicalId(stack.importBucket.bucket) } };
    expect(variables('ApiRead')).toEqual({ ...api, ...secretOf('read'), ...exportBucket, ...importBucket });
    const relay = { RELAY_FUNCTION_NAME: { Ref: logicalId(stack.relayFunction) } };
    // A dynamic reference: the template names the secret, CloudFormation resolves the value at deploy.
    const pepper = {
      PRIVACY_EMAIL_PEPPER: {
        'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: logicalId(stack.privacyPepper) }, ':SecretString:::}}']],
      },
    };
    expect(variables('ApiWrite')).toEqual({
      ...api,
      ...secretOf('write'),
      ...relay,
      ...pepper,
      EVENT_BUS_NAME: resolved(stack, stack.eventBus.eventBusName),
      EVENTS_SOURCE: 'customer-mgmt',
      ANALYTICS_FUNCTION_NAME: { Ref: logicalId(stack.analyticsFunction) },
      EXPORT_FUNCTION_NAME: { Ref: logicalId(stack.exportFunction) },
      ...importBucket,
    });
    expect(variables('Export')).toEqual({ ...background, ...secretOf('write'), ...exportBucket });
    // It publishes its rows' events after each chunk, reads its file and writes its error report; it knows its own name from Lambda.
    expect(variables('Import')).toEqual({
      ...background,
      ...secretOf('write'),
      ...relay,
      ...exportBucket,
      ...importBucket,
      EVENT_BUS_NAME: resolved(stack, stack.eventBus.eventBusName),
      EVENTS_SOURCE: 'customer-mgmt',
    });
    // Its events go to the outbox (the relay publishes them); it knows its own name from Lambda.
    expect(variables('Analytics')).toEqual({ ...background, ...secretOf('write'), ...relay });
    expect(variables('OutboxRelay')).toEqual({
      ...background,
      ...secretOf('write'),
      EVENT_BUS_NAME: resolved(stack, stack.eventBus.eventBusName),
      EVENTS_SOURCE: 'customer-mgmt',
    });
    expect(variables('Migrate')).toEqual({
      ...background,
      DB_SECRET_ARN: resolved(stack, stack.database.secret.secretArn),
      DB_ROLE_SECRET_ARNS: {
        'Fn::Join': [
          '',
          [resolved(stack, stack.database.roleSecrets.read.secretArn), ',', resolved(stack, stack.database.roleSecrets.write.secretArn)],
        ],
      },
      DEPLOY_ID: 'test-deploy',
    });
    for (const consumer of ['IdentityEvents', 'OrderEvents']) {
      expect(variables(consumer), consumer).toEqual({
        ...background,
        ...secretOf('write'),
        ...relay,
        ...pepper,
        EVENT_BUS_NAME: resolved(stack, stack.eventBus.eventBusName),
        EVENTS_SOURCE: 'customer-mgmt',
      });
    }
  });
});

describe('outbox relay', () => {
  it('runs on the configured schedule, without retries (the next run is the retry)', () => {
    const { stack, template } = dev;
    const rule = resources(template, 'AWS::Events::Rule')[logicalId(stack.relaySchedule)];

    expect(rule!.Properties).toMatchObject({
      ScheduleExpression: 'rate(6 hours)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [logicalId(stack.relayFunction), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } }],
    });
    expect(rule!.Properties.EventBusName).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalId(stack.relayFunction), 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalId(stack.relaySchedule), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack.relayFunction) },
      MaximumRetryAttempts: 0,
    });
    expect(resources(template)[logicalId(stack.relayFunction)]!.Properties.Timeout).toBe(90);
  });

  it.each([
    ['dev', 'rate(6 hours)'],
    ['staging', 'rate(5 minutes)'],
    ['prod', 'rate(5 minutes)'],
  ] as const)('%s sweeps on a slow schedule (%s): the write path wakes the relay when it needs to', (environment, expression) => {
    const { stack, template } = { dev, staging, prod }[environment];

    expect(resources(template, 'AWS::Events::Rule')[logicalId(stack.relaySchedule)]!.Properties.ScheduleExpression).toBe(expression);
  });

  it('lets the write function and the consumers, and nothing else, wake the relay (asynchronous invoke)', () => {
    const { stack, template } = dev;
    const wakers = ['ApiWrite', 'IdentityEvents', 'OrderEvents', 'Analytics'];
    for (const fnId of ['ApiRead', 'ApiWrite', 'OutboxRelay', 'Migrate', 'IdentityEvents', 'OrderEvents', 'Analytics', 'Export']) {
      const fn = resources(template)[logicalId(stack.node.findChild('Functions').node.findChild(fnId))]!;
      const wake = statementsOf(dev, fnId).find((statement) => (statement as { Sid?: string }).Sid === 'WakeRelay');
      if (wakers.includes(fnId)) {
        expect(fn.Properties.Environment.Variables.RELAY_FUNCTION_NAME, fnId).toEqual({ Ref: logicalId(stack.relayFunction) });
        expect(wake, fnId).toEqual({
          Sid: 'WakeRelay',
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [logicalId(stack.relayFunction), 'Arn'] },
        });
      } else {
        expect(fn.Properties.Environment.Variables.RELAY_FUNCTION_NAME, fnId).toBeUndefined();
        expect(wake, fnId).toBeUndefined();
      }
    }
  });

  it('waits for the migrations like the API functions', () => {
    const triggerId = logicalId(dev.stack.migrationTrigger.node.findChild('Default'));

    expect(resources(dev.template)[logicalId(dev.stack.relayFunction)]!.DependsOn).toContain(triggerId);
  });
});

describe('IAM grants are least privilege', () => {
  const logs = (s: SynthesizedService, fnId: string) => ({
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Effect: 'Allow',
    Resource: { 'Fn::GetAtt': [logicalId(s.stack.node.findChild('Functions').node.findChild(`${fnId}Logs`)), 'Arn'] },
  });
  const dataApi = (s: SynthesizedService, actions: string | string[]) => ({
    Sid: 'DataApi',
    Action: actions,
    Effect: 'Allow',
    Resource: resolved(s.stack, s.stack.database.cluster.clusterArn),
  });
  /** GetSecretValue on exactly that database user's secret. */
  const secret = (s: SynthesizedService, user: 'read' | 'write') => ({
    Sid: 'DatabaseSecret',
    Action: 'secretsmanager:GetSecretValue',
    Effect: 'Allow',
    Resource: resolved(s.stack, s.stack.database.roleSecrets[user].secretArn),
  });
  const transactions = [
    'rds-data:BeginTransaction',
    'rds-data:CommitTransaction',
    'rds-data:ExecuteStatement',
    'rds-data:RollbackTransaction',
  ];

  /** Object actions on the export bucket's `exports/` prefix. */
  const exportObjects = (s: SynthesizedService, sid: string, actions: string | string[]) => ({
    Sid: sid,
    Action: actions,
    Effect: 'Allow',
    Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(s.stack.exportBucket.bucket), 'Arn'] }, '/exports/*']] },
  });

  /** Object actions on the import bucket's `imports/` prefix. */
  const importObjects = (s: SynthesizedService, sid: string, actions: string | string[]) => ({
    Sid: sid,
    Action: actions,
    Effect: 'Allow',
    Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(s.stack.importBucket.bucket), 'Arn'] }, '/imports/*']] },
  });

  it('read: plain statements on the cluster, the read role’s secret, its own logs, reading export files and putting import files (to presign); no events, no transactions', () => {
    expect(statementsOf(dev, 'ApiRead')).toEqual([
      logs(dev, 'ApiRead'),
      dataApi(dev, 'rds-data:ExecuteStatement'),
      secret(dev, 'read'),
      exportObjects(dev, 'PresignExportDownloads', 's3:GetObject'),
      importObjects(dev, 'PresignImportUploads', 's3:PutObject'),
    ]);
  });

  it('import: transactions, the write role’s secret, PutEvents for its source, waking the relay, reading import files, writing error reports, invoking itself', () => {
    expect(statementsOf(dev, 'Import')).toEqual([
      logs(dev, 'Import'),
      dataApi(dev, transactions),
      secret(dev, 'write'),
      {
        Sid: 'PublishEvents',
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: resolved(dev.stack, dev.stack.eventBus.eventBusArn),
        Condition: { StringEquals: { 'events:source': ['customer-mgmt'] } },
      },
      importObjects(dev, 'ReadImports', 's3:GetObject'),
      exportObjects(dev, 'WriteExports', ['s3:AbortMultipartUpload', 's3:PutObject']),
      {
        Sid: 'WakeRelay',
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(dev.stack.relayFunction), 'Arn'] },
      },
      {
        Sid: 'ContinueImport',
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(dev.stack.importFunction), 'Arn'] },
      },
    ]);
  });

  it('export: plain statements, the write role’s secret, writing export files; no events, no invokes', () => {
    expect(statementsOf(dev, 'Export')).toEqual([
      logs(dev, 'Export'),
      dataApi(dev, 'rds-data:ExecuteStatement'),
      secret(dev, 'write'),
      exportObjects(dev, 'WriteExports', ['s3:AbortMultipartUpload', 's3:PutObject']),
    ]);
  });

  it('write: transactions, the secret, PutEvents on the bus for its own source only, and waking the relay', () => {
    expect(statementsOf(dev, 'ApiWrite')).toEqual([
      logs(dev, 'ApiWrite'),
      dataApi(dev, transactions),
      secret(dev, 'write'),
      {
        Sid: 'PublishEvents',
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: resolved(dev.stack, dev.stack.eventBus.eventBusArn),
        Condition: { StringEquals: { 'events:source': ['customer-mgmt'] } },
      },
      {
        Sid: 'WakeRelay',
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(dev.stack.relayFunction), 'Arn'] },
      },
      {
        Sid: 'StartAnalyticsRun',
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(dev.stack.analyticsFunction), 'Arn'] },
      },
      {
        Sid: 'StartExport',
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(dev.stack.exportFunction), 'Arn'] },
      },
      importObjects(dev, 'PresignImportUploads', 's3:PutObject'),
    ]);
  });

  it('analytics: plain statements, the write role’s secret, waking the relay and invoking itself (the next leg); no events', () => {
    expect(statementsOf(dev, 'Analytics')).toEqual([
      logs(dev, 'Analytics'),
      dataApi(dev, 'rds-data:ExecuteStatement'),
      secret(dev, 'write'),
      {
        Sid: 'WakeRelay',
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(dev.stack.relayFunction), 'Arn'] },
      },
      {
        Sid: 'ContinueAnalyticsRun',
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(dev.stack.analyticsFunction), 'Arn'] },
      },
    ]);
  });

  it.each([
    ['dev', 'cron(0 3 * * ? *)'],
    ['staging', 'cron(30 2 * * ? *)'],
    ['prod', 'cron(0 2 * * ? *)'],
  ] as const)(
    '%s starts the nightly analytics run on its own schedule (%s), with retries, after the migrations',
    (environment, expression) => {
      const { stack, template } = { dev, staging, prod }[environment];
      expect(resources(template, 'AWS::Events::Rule')[logicalId(stack.analyticsSchedule)]!.Properties).toMatchObject({
        ScheduleExpression: expression,
        State: 'ENABLED',
        Targets: [{ Arn: { 'Fn::GetAtt': [logicalId(stack.analyticsFunction), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } }],
      });
      const fn = resources(template)[logicalId(stack.analyticsFunction)]!;
      expect(fn.Properties).toMatchObject({ Timeout: 900, MemorySize: 2048 });
      expect(fn.DependsOn).toContain(logicalId(stack.migrationTrigger.node.findChild('Default')));
    },
  );

  it('relay: plain statements, the secret, and PutEvents on the bus for its own source only', () => {
    expect(statementsOf(dev, 'OutboxRelay')).toEqual([
      logs(dev, 'OutboxRelay'),
      dataApi(dev, 'rds-data:ExecuteStatement'),
      secret(dev, 'write'),
      {
        Sid: 'PublishEvents',
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: resolved(dev.stack, dev.stack.eventBus.eventBusArn),
        Condition: { StringEquals: { 'events:source': ['customer-mgmt'] } },
      },
    ]);
  });

  it('migrate: transactions, the master user’s (RDS-managed) secret and the roles’ secrets to set their passwords; no events', () => {
    expect(statementsOf(dev, 'Migrate')).toEqual([
      logs(dev, 'Migrate'),
      dataApi(dev, transactions),
      {
        Sid: 'DatabaseSecret',
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: [
          resolved(dev.stack, dev.stack.database.secret.secretArn),
          resolved(dev.stack, dev.stack.database.roleSecrets.read.secretArn),
          resolved(dev.stack, dev.stack.database.roleSecrets.write.secretArn),
        ],
      },
    ]);
  });

  it('only migrate may read the master user’s secret; the read role’s secret only the read function and migrate', () => {
    const readers = (arn: string) =>
      ['ApiRead', 'ApiWrite', 'OutboxRelay', 'Migrate', 'IdentityEvents', 'OrderEvents', 'Analytics'].filter((fnId) =>
        JSON.stringify(statementsOf(dev, fnId)).includes(JSON.stringify(resolved(dev.stack, arn))),
      );

    expect(readers(dev.stack.database.secret.secretArn)).toEqual(['Migrate']);
    expect(readers(dev.stack.database.roleSecrets.read.secretArn)).toEqual(['ApiRead', 'Migrate']);
    expect(readers(dev.stack.database.roleSecrets.write.secretArn)).toEqual([
      'ApiWrite',
      'OutboxRelay',
      'Migrate',
      'IdentityEvents',
      'OrderEvents',
      'Analytics',
    ]);
  });

  it.each([
    ['IdentityEvents', 'identity'],
    ['OrderEvents', 'order-management'],
  ] as const)('%s: transactions, the secret, PutEvents for its own source only, and its own dead-letter queue', (fnId, source) => {
    expect(statementsOf(dev, fnId)).toEqual([
      logs(dev, fnId),
      dataApi(dev, transactions),
      secret(dev, 'write'),
      {
        Sid: 'PublishEvents',
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: resolved(dev.stack, dev.stack.eventBus.eventBusArn),
        Condition: { StringEquals: { 'events:source': ['customer-mgmt'] } },
      },
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(dev.stack.consumers[source]!.handlerDlq), 'Arn'] },
      },
      {
        Sid: 'WakeRelay',
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(dev.stack.relayFunction), 'Arn'] },
      },
    ]);
  });

  it('publishes to the imported platform bus where the environment says so', () => {
    const putEvents = statementsOf(staging, 'ApiWrite').find((statement) => (statement as { Sid?: string }).Sid === 'PublishEvents');

    expect(putEvents).toMatchObject({ Resource: 'arn:aws:events:eu-central-1:222222222222:event-bus/platform-events-staging' });
    staging.template.resourceCountIs('AWS::Events::EventBus', 0);
    dev.template.resourceCountIs('AWS::Events::EventBus', 1);
  });

  it('uses no managed policies and no wildcard resources on the function roles', () => {
    for (const fnId of ['ApiRead', 'ApiWrite', 'OutboxRelay', 'Migrate', 'IdentityEvents', 'OrderEvents', 'Analytics']) {
      const role = resources(dev.template)[logicalId(dev.stack.node.findChild('Functions').node.findChild(`${fnId}Role`))]!;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(JSON.stringify(statementsOf(dev, fnId))).not.toMatch(/"\*"|rds-data:\*|secretsmanager:\*/);
    }
  });
});

describe('database', () => {
  it('is Aurora PostgreSQL Serverless v2 with the Data API, encrypted, in isolated subnets', () => {
    dev.template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EnableHttpEndpoint: true,
      StorageEncrypted: true,
      DatabaseName: 'customer_mgmt',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 2, SecondsUntilAutoPause: 600 },
      // RDS manages and rotates the master password in Secrets Manager.
      ManageMasterUserPassword: true,
      MasterUsername: 'customer_mgmt_admin',
    });
    expect(
      resources(dev.template, 'AWS::RDS::DBCluster')[logicalId(dev.stack.database.cluster)]!.Properties.MasterUserPassword,
    ).toBeUndefined();
    dev.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PubliclyAccessible: false });
    // The application roles' secrets (the master secret is RDS's own resource), and the privacy pepper (no user).
    expect(
      Object.values(resources(dev.template, 'AWS::SecretsManager::Secret')).map((secret) =>
        secret.Properties.GenerateSecretString.SecretStringTemplate
          ? JSON.parse(secret.Properties.GenerateSecretString.SecretStringTemplate).username
          : secret.Properties.Description,
      ),
    ).toEqual([
      'customer_mgmt_app_read',
      'customer_mgmt_app_write',
      'Customer Management: pepper of the HMAC-SHA-256 hashes of suppressed (erased) emails',
    ]);
    dev.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    dev.template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    for (const subnet of Object.values(resources(dev.template, 'AWS::EC2::Subnet'))) {
      expect(subnet.Properties.Tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: 'Isolated' });
    }
  });

  it('prod retains data and has deletion protection', () => {
    prod.template.hasResourceProperties('AWS::RDS::DBCluster', {
      DeletionProtection: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
    });
    prod.template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    prod.template.allResources('AWS::RDS::DBInstance', { DeletionPolicy: 'Retain' });
    prod.template.resourceCountIs('AWS::RDS::DBInstance', 2);
    prod.template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    prod.template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    expect(prod.stack.terminationProtection).toBe(true);
  });

  it('prod retains the network the retained cluster sits in, so cdk destroy completes instead of DELETE_FAILED', () => {
    const network = Object.entries(resources(prod.template)).filter(
      ([, resource]) =>
        resource.Type.startsWith('AWS::EC2::') || resource.Type === 'AWS::RDS::DBSubnetGroup' || resource.Type === 'AWS::EC2::FlowLog',
    );

    expect(network.map(([, resource]) => resource.Type)).toEqual(
      expect.arrayContaining(['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::SecurityGroup', 'AWS::RDS::DBSubnetGroup']),
    );
    for (const [id, resource] of network) expect([id, resource.DeletionPolicy]).toEqual([id, 'Retain']);
    for (const [id, resource] of network) expect([id, resource.UpdateReplacePolicy]).toEqual([id, 'Retain']);
  });

  it('dev can be torn down completely', () => {
    for (const [id, resource] of Object.entries(resources(dev.template)).filter(([, r]) => r.Type.startsWith('AWS::EC2::'))) {
      expect([id, resource.DeletionPolicy]).toEqual([id, undefined]);
    }
    dev.template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false });
    dev.template.allResources('AWS::RDS::DBCluster', { DeletionPolicy: 'Delete' });
    dev.template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    expect(dev.stack.terminationProtection).toBe(false);
  });
});

describe('migrations run on every deploy, before the API functions change', () => {
  it('invokes the migrate function version through a trigger that follows every change', () => {
    const { stack, template } = dev;
    const [trigger] = Object.values(resources(template, 'Custom::Trigger'));

    expect(trigger!.Properties).toMatchObject({
      HandlerArn: { Ref: migrateVersionId(dev) },
      InvocationType: 'RequestResponse',
      ExecuteOnHandlerChange: true,
    });
    expect(trigger!.DependsOn).toEqual(
      expect.arrayContaining([logicalId(stack.database.cluster), logicalId(stack.database.cluster.node.findChild('Writer'))]),
    );
  });

  it('makes every API function wait for the trigger', () => {
    const triggerId = logicalId(dev.stack.migrationTrigger.node.findChild('Default'));
    for (const fn of Object.values(dev.stack.routeGroupFunctions)) {
      expect(resources(dev.template)[logicalId(fn)]!.DependsOn).toContain(triggerId);
    }
  });

  it('changes the migrate function (so the trigger fires) when the deploy id changes', () => {
    const next = synthService('dev', { context: { deployId: 'next-deploy' } });

    expect(migrateVersionId(next)).not.toBe(migrateVersionId(dev));
    expect(resources(next.template, 'Custom::Trigger')).not.toEqual(resources(dev.template, 'Custom::Trigger'));
  });
});

describe('alarms', () => {
  it('watches API 5xx rate and p99 latency, errors and throttles of every function but migrate, parked events, and the consumers, through SNS', () => {
    const { stack, template } = dev;
    const names = Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties.AlarmName);

    expect(names.sort()).toEqual(
      [
        'Api5xxRate',
        'ApiLatencyP99',
        'ApiReadErrors',
        'ApiReadThrottles',
        'ApiWriteErrors',
        'ApiWriteThrottles',
        'OutboxRelayErrors',
        'OutboxRelayThrottles',
        'AnalyticsErrors',
        'AnalyticsThrottles',
        'ExportErrors',
        'ExportThrottles',
        'ImportErrors',
        'ImportThrottles',
        'ParkedEvents',
        'OldestUndeliveredEvent',
        'DataApiThrottles',
        'DataApiErrors',
        'AuroraCapacityNearMax',
        ...['IdentityEvents', 'OrderEvents'].flatMap((consumer) =>
          ['Errors', 'Throttles', 'DeliveryDlqDepth', 'HandlerDlqDepth', 'DeadLetters'].map((alarm) => `${consumer}${alarm}`),
        ),
      ]
        .map((name) => `customer-mgmt-dev-${name}`)
        .sort(),
    );
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: logicalId(stack.alarms.topic) }] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'customer-mgmt-dev-ApiLatencyP99',
      ExtendedStatistic: 'p99',
      MetricName: 'Latency',
      Threshold: stack.config.alarms.apiLatencyP99Millis,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'customer-mgmt-dev-Api5xxRate',
      Threshold: stack.config.alarms.apiServerErrorRatePercent,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)' })]),
    });
  });

  it('alarms on any parked event, from the metric the relay emits', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'customer-mgmt-dev-ParkedEvents',
      Namespace: METRICS.namespace,
      MetricName: 'ParkedEvents',
      Dimensions: [
        { Name: 'environment', Value: 'dev' },
        { Name: 'service', Value: 'customer-mgmt-dev' },
      ],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  const alarmProperties = ({ template }: SynthesizedService, name: string) => {
    const found = Object.values(resources(template, 'AWS::CloudWatch::Alarm')).filter((alarm) => alarm.Properties.AlarmName === name);
    expect(found, name).toHaveLength(1);
    return found[0]!.Properties;
  };
  const ourDimensions = (environment: string) => [
    { Name: 'environment', Value: environment },
    { Name: 'service', Value: `customer-mgmt-${environment}` },
  ];

  it.each([
    ['dev', 900],
    ['staging', 600],
    ['prod', 300],
  ] as const)('%s alarms when the oldest undelivered event is older than %i s (the relay reports its age)', (environment, seconds) => {
    const synthesized = { dev, staging, prod }[environment];

    expect(alarmProperties(synthesized, `customer-mgmt-${environment}-OldestUndeliveredEvent`)).toMatchObject({
      Namespace: 'CustomerMgmt',
      MetricName: METRICS.oldestUndeliveredAge,
      Dimensions: ourDimensions(environment),
      Statistic: 'Maximum',
      Threshold: seconds,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: logicalId(synthesized.stack.alarms.topic) }],
    });
  });

  it('alarms on Data API throttling and on Data API failures that are not SQL errors, from the metrics the functions emit', () => {
    expect(alarmProperties(dev, 'customer-mgmt-dev-DataApiThrottles')).toMatchObject({
      Namespace: 'CustomerMgmt',
      MetricName: 'DataApiThrottles',
      Dimensions: ourDimensions('dev'),
      Statistic: 'Sum',
      Threshold: 0,
    });
    expect(alarmProperties(dev, 'customer-mgmt-dev-DataApiErrors')).toMatchObject({
      Namespace: 'CustomerMgmt',
      MetricName: 'DataApiErrors',
      Dimensions: ourDimensions('dev'),
      Statistic: 'Sum',
      Threshold: 0,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
  });

  it.each([
    ['dev', 1.8],
    ['prod', 14.4],
  ] as const)('%s alarms when Aurora runs near its maximum capacity (%s ACU) for 15 minutes', (environment, threshold) => {
    const synthesized = { dev, staging, prod }[environment];

    expect(alarmProperties(synthesized, `customer-mgmt-${environment}-AuroraCapacityNearMax`)).toMatchObject({
      Namespace: 'AWS/RDS',
      MetricName: 'ServerlessDatabaseCapacity',
      Dimensions: [{ Name: 'DBClusterIdentifier', Value: { Ref: logicalId(synthesized.stack.database.cluster) } }],
      Statistic: 'Maximum',
      Threshold: threshold,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it.each(['dev', 'staging', 'prod'] as const)(
    '%s has one dashboard: requests, p99 latency, errors, delivery lag, consumer failures, Aurora capacity',
    (environment) => {
      const { template } = { dev, staging, prod }[environment];
      const dashboards = Object.values(resources(template, 'AWS::CloudWatch::Dashboard'));

      expect(dashboards).toHaveLength(1);
      expect(dashboards[0]!.Properties.DashboardName).toBe(`customer-mgmt-${environment}`);
      const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
      for (const title of [
        'API requests',
        'API latency p99',
        'API errors',
        'Event delivery lag',
        'Consumer failures: dead letters',
        'Consumer failures: messages in DLQs',
        'Aurora capacity (ACU)',
        'Data API failures',
      ]) {
        expect(body, title).toContain(title);
      }
      for (const metric of [
        'Count',
        'Latency',
        '5xx',
        METRICS.oldestUndeliveredAge,
        METRICS.deadLetters,
        'ApproximateNumberOfMessagesVisible',
        'ServerlessDatabaseCapacity',
      ]) {
        expect(body, metric).toContain(metric);
      }
    },
  );

  it('can watch a dead-letter queue (for the event consumers)', () => {
    const stack = new Stack(scratchApp(), 'AlarmsOnly');
    const alarms = new ServiceAlarms(stack, 'Alarms', { prefix: 'customer-mgmt-test', environment: 'test' });

    alarms.watchDeadLetterQueue('RelayDlq', new Queue(stack, 'Dlq'));

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'customer-mgmt-test-RelayDlqDepth',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: logicalId(alarms.topic) }],
    });
  });

  it('subscribes the alarm e-mail when one is configured', () => {
    const withEmail = synthService('dev', { context: { alarmEmail: 'oncall@example.com' } });

    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('consumers of other contexts’ events', () => {
  const consumerCases = [
    [
      'IdentityEvents',
      'identity',
      'identity-events',
      ['UserRegistered', 'UserEmailChanged', 'UserRoleGranted', 'UserRoleRevoked', 'UserDeactivated'],
    ],
    ['OrderEvents', 'order-management', 'order-events', ['OrderPlaced', 'OrderCompleted', 'OrderRefunded']],
  ] as const;
  const getAtt = (construct: Parameters<typeof logicalId>[0], attribute: string) => ({ 'Fn::GetAtt': [logicalId(construct), attribute] });

  it.each(consumerCases)(
    '%s: a rule on the service bus for source %s and its detail types, with retries and a DLQ',
    (fnId, source, _consumer, detailTypes) => {
      const { stack, template } = dev;
      const consumer = stack.consumers[source]!;
      const rule = resources(template, 'AWS::Events::Rule')[logicalId(consumer.rule)]!;

      expect(rule.Properties.EventBusName).toEqual(resolved(stack, stack.eventBus.eventBusName));
      expect(rule.Properties.State).toBe('ENABLED');
      expect(rule.Properties.EventPattern).toEqual({ source: [source], 'detail-type': [...detailTypes] });
      expect(rule.Properties.Targets).toEqual([
        {
          Id: 'Target0',
          Arn: getAtt(consumer.function, 'Arn'),
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
          DeadLetterConfig: { Arn: getAtt(consumer.deliveryDlq, 'Arn') },
        },
      ]);
      expect(consumer.function).toBe(stack.node.findChild('Functions').node.findChild(fnId));
    },
  );

  it('routes exactly the events the consumer has contracts for, and nothing else is subscribed', () => {
    const rules = Object.values(resources(dev.template, 'AWS::Events::Rule')).filter((rule) => rule.Properties.EventPattern);
    const routed = rules.flatMap((rule) =>
      (rule.Properties.EventPattern['detail-type'] as string[]).map((type) => `${rule.Properties.EventPattern.source[0]}/${type}`),
    );

    expect(rules).toHaveLength(2);
    expect(routed.sort()).toEqual([...SUBSCRIBED_EVENTS].sort());
    expect(Object.values(EVENT_CONSUMERS).map((definition) => definition.functionId)).toEqual(consumerCases.map(([fnId]) => fnId));
  });

  it.each(consumerCases)('%s: only its rule may invoke it', (_fnId, source) => {
    const { stack, template } = dev;
    const consumer = stack.consumers[source]!;
    const permissions = Object.values(resources(template, 'AWS::Lambda::Permission')).filter(
      (permission) => JSON.stringify(permission.Properties.FunctionName) === JSON.stringify(getAtt(consumer.function, 'Arn')),
    );

    expect(permissions.map((permission) => permission.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(consumer.function, 'Arn'),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(consumer.rule, 'Arn'),
      },
    ]);
  });

  it.each(consumerCases)(
    '%s: the handler entry, two Lambda retries, then its own DLQ; waits for the migrations',
    (fnId, source, consumerName) => {
      const { stack, template } = dev;
      const consumer = stack.consumers[source]!;
      const fn = resources(template)[logicalId(consumer.function)]!;
      const triggerId = logicalId(stack.migrationTrigger.node.findChild('Default'));

      expect(fn.Properties).toMatchObject({
        Handler: 'index.handler',
        Timeout: 90,
        MemorySize: 512,
        DeadLetterConfig: { TargetArn: getAtt(consumer.handlerDlq, 'Arn') },
      });
      expect(fn.Properties.Description).toMatch(/^Customer Management: applies/);
      expect(EVENT_CONSUMERS[source]).toMatchObject({
        functionId: fnId,
        consumer: consumerName,
        entry: `functions/${consumerName}/handler.ts`,
      });
      expect(fn.DependsOn).toContain(triggerId);
      const invokeConfigs = Object.values(resources(template, 'AWS::Lambda::EventInvokeConfig')).filter(
        (config) => config.Properties.FunctionName.Ref === logicalId(consumer.function),
      );
      expect(invokeConfigs.map((config) => config.Properties)).toEqual([
        { FunctionName: { Ref: logicalId(consumer.function) }, Qualifier: '$LATEST', MaximumRetryAttempts: 2 },
      ]);
    },
  );

  it('encrypts every queue (SQS-managed), keeps messages 14 days, and has no other queues', () => {
    const { stack, template } = dev;
    const queues = resources(template, 'AWS::SQS::Queue');
    const expectedIds = consumerCases
      .flatMap(([, source]) => [stack.consumers[source]!.deliveryDlq, stack.consumers[source]!.handlerDlq])
      .map((queue) => logicalId(queue));

    expect(Object.keys(queues).sort()).toEqual(expectedIds.sort());
    for (const queue of Object.values(queues)) {
      expect(queue.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600, Tags: expect.any(Array) });
    }
  });

  it.each(consumerCases)(
    '%s: queue policies deny plain HTTP; only EventBridge, from this rule, may send to the delivery DLQ',
    (_fnId, source) => {
      const { stack, template } = dev;
      const consumer = stack.consumers[source]!;
      const policyOf = (queue: Parameters<typeof logicalId>[0]) => {
        const policies = Object.values(resources(template, 'AWS::SQS::QueuePolicy')).filter((policy) =>
          (policy.Properties.Queues as unknown[]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: logicalId(queue) })),
        );
        expect(policies).toHaveLength(1);
        return policies[0]!.Properties.PolicyDocument.Statement as unknown[];
      };
      const denyInsecure = (queue: Parameters<typeof logicalId>[0]) => ({
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: getAtt(queue, 'Arn'),
      });

      expect(policyOf(consumer.deliveryDlq)).toEqual([
        denyInsecure(consumer.deliveryDlq),
        {
          Sid: expect.stringMatching(/^AllowEventRule/),
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': getAtt(consumer.rule, 'Arn') } },
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Resource: getAtt(consumer.deliveryDlq, 'Arn'),
        },
      ]);
      // Lambda writes with the function's role (sqs:SendMessage on this queue, see the IAM tests).
      expect(policyOf(consumer.handlerDlq)).toEqual([denyInsecure(consumer.handlerDlq)]);
    },
  );

  it.each(consumerCases)('%s: alarms on both DLQs and on dead-lettered events', (fnId, source, consumerName) => {
    const { stack, template } = dev;
    const consumer = stack.consumers[source]!;
    const alarm = (name: string) => {
      const found = Object.values(resources(template, 'AWS::CloudWatch::Alarm')).filter(
        (candidate) => candidate.Properties.AlarmName === `customer-mgmt-dev-${name}`,
      );
      expect(found, name).toHaveLength(1);
      return found[0]!.Properties;
    };
    const breachesOnAnyDatapoint = {
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Period: 300,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId(stack.alarms.topic) }],
      OKActions: [{ Ref: logicalId(stack.alarms.topic) }],
    };

    for (const [queueAlarm, queue] of [
      ['DeliveryDlqDepth', consumer.deliveryDlq],
      ['HandlerDlqDepth', consumer.handlerDlq],
    ] as const) {
      expect(alarm(`${fnId}${queueAlarm}`)).toMatchObject({
        ...breachesOnAnyDatapoint,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queue, 'QueueName') }],
        Statistic: 'Maximum',
      });
    }
    expect(alarm(`${fnId}DeadLetters`)).toMatchObject({
      ...breachesOnAnyDatapoint,
      Namespace: 'CustomerMgmt',
      MetricName: 'DeadLetters',
      Dimensions: expect.arrayContaining([
        { Name: 'service', Value: 'customer-mgmt-dev' },
        { Name: 'environment', Value: 'dev' },
        { Name: 'Consumer', Value: consumerName },
      ]),
      Statistic: 'Sum',
    });
    expect(alarm(`${fnId}DeadLetters`).Dimensions).toHaveLength(3);
    expect(CONSUMER_METRICS).toEqual({
      namespace: 'CustomerMgmt',
      deadLetters: 'DeadLetters',
      serviceDimension: 'service',
      environmentDimension: 'environment',
      consumerDimension: 'Consumer',
    });
    for (const metric of ['Errors', 'Throttles']) {
      expect(alarm(`${fnId}${metric}`)).toMatchObject({
        ...breachesOnAnyDatapoint,
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(consumer.function) } }],
        Statistic: 'Sum',
      });
    }
  });

  it('outputs the DLQ URLs for whoever redrives them', () => {
    const outputs = dev.template.toJSON().Outputs as Record<string, { Value: unknown }>;

    for (const [fnId, source] of consumerCases) {
      expect(outputs[`${fnId}DeliveryDlqUrl`]!.Value).toEqual({ Ref: logicalId(dev.stack.consumers[source]!.deliveryDlq) });
      expect(outputs[`${fnId}HandlerDlqUrl`]!.Value).toEqual({ Ref: logicalId(dev.stack.consumers[source]!.handlerDlq) });
    }
  });

  it('listens on the imported platform bus in staging and prod', () => {
    for (const [{ template }, bus] of [
      [staging, 'platform-events-staging'],
      [prod, 'platform-events-prod'],
    ] as const) {
      const rules = Object.values(resources(template, 'AWS::Events::Rule')).filter((rule) => rule.Properties.EventPattern);
      expect(rules.map((rule) => [rule.Properties.EventPattern.source, rule.Properties.EventBusName])).toEqual([
        [['identity'], bus],
        [['order-management'], bus],
      ]);
    }
  });

  it('subscribes only the sources the environment (or -c eventSources) names', () => {
    const identityOnly = synthService('dev', { context: { eventSources: 'identity' } });
    const none = synthService('dev', { context: { eventSources: 'none' } });
    const alarmNames = ({ template }: SynthesizedService) =>
      Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties.AlarmName as string);

    expect(Object.keys(identityOnly.stack.consumers)).toEqual(['identity']);
    expect(identityOnly.stack.node.findChild('Functions').node.tryFindChild('OrderEvents')).toBeUndefined();
    identityOnly.template.resourceCountIs('AWS::SQS::Queue', 2);
    expect(alarmNames(identityOnly).filter((name) => name.includes('IdentityEvents'))).toHaveLength(5);
    expect(alarmNames(identityOnly).some((name) => name.includes('OrderEvents'))).toBe(false);

    expect(none.stack.consumers).toEqual({});
    none.template.resourceCountIs('AWS::SQS::Queue', 0);
    // The relay's sweep and the nightly analytics run.
    none.template.resourceCountIs('AWS::Events::Rule', 2);
  });
});

describe('export bucket', () => {
  it.each(['dev', 'prod'] as const)(
    '%s: private, encrypted, TLS only, files expire after 7 days, unfinished uploads after 1',
    (environment) => {
      const { stack, template } = { dev, prod }[environment];
      const bucketId = logicalId(stack.exportBucket.bucket);
      const bucket = resources(template, 'AWS::S3::Bucket')[bucketId]!;

      expect(bucket.Properties).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'ExpireExports',
              Prefix: 'exports/',
              ExpirationInDays: 7,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
              Status: 'Enabled',
            },
          ],
        },
      });
      expect(bucket.DeletionPolicy).toBe(environment === 'prod' ? 'Retain' : 'Delete');
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Effect: 'Deny',
              Principal: { AWS: '*' },
            }),
          ]),
        },
      });
    },
  );

  it('no function but the export and import functions (error reports) may write to it, and only the read function besides may read', () => {
    const { template } = dev;
    const bucketArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(dev.stack.exportBucket.bucket), 'Arn'] });
    const grants = Object.values(resources(template, 'AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[])
        .filter((statement) => JSON.stringify(statement.Resource).includes(bucketArn))
        .map((statement) => ({ roles: policy.Properties.Roles, sid: statement.Sid, action: statement.Action })),
    );
    const roleOf = (fnId: string) => [{ Ref: logicalId(dev.stack.node.findChild('Functions').node.findChild(`${fnId}Role`)) }];
    expect(grants).toEqual([
      { roles: roleOf('ApiRead'), sid: 'PresignExportDownloads', action: 's3:GetObject' },
      { roles: roleOf('Export'), sid: 'WriteExports', action: ['s3:AbortMultipartUpload', 's3:PutObject'] },
      { roles: roleOf('Import'), sid: 'WriteExports', action: ['s3:AbortMultipartUpload', 's3:PutObject'] },
    ]);
  });
});

describe('import bucket', () => {
  const template = () => dev.template;
  const stack = () => dev.stack;

  it('is private, encrypted, TLS only, and expires files after a week', () => {
    const bucket = resources(template())[logicalId(stack().importBucket.bucket)]!.Properties;
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'ExpireImports',
        Prefix: 'imports/',
        ExpirationInDays: 7,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      },
    ]);
    const policy = Object.values(resources(template(), 'AWS::S3::BucketPolicy')).find(
      (candidate) => JSON.stringify(candidate.Properties.Bucket) === JSON.stringify({ Ref: logicalId(stack().importBucket.bucket) }),
    )!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('an upload of imports/*.csv invokes the import function, which S3 may invoke for this bucket only', () => {
    const notifications = Object.values(resources(template(), 'Custom::S3BucketNotifications'));
    expect(notifications).toHaveLength(1);
    expect(notifications[0]!.Properties.BucketName).toEqual({ Ref: logicalId(stack().importBucket.bucket) });
    expect(notifications[0]!.Properties.NotificationConfiguration).toEqual({
      LambdaFunctionConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: [
                { Name: 'suffix', Value: '.csv' },
                { Name: 'prefix', Value: 'imports/' },
              ],
            },
          },
          LambdaFunctionArn: { 'Fn::GetAtt': [logicalId(stack().importFunction), 'Arn'] },
        },
      ],
    });
    const permissions = Object.values(resources(template(), 'AWS::Lambda::Permission')).filter(
      (permission) => permission.Properties.Principal === 's3.amazonaws.com',
    );
    expect(permissions).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          FunctionName: { 'Fn::GetAtt': [logicalId(stack().importFunction), 'Arn'] },
          SourceArn: { 'Fn::GetAtt': [logicalId(stack().importBucket.bucket), 'Arn'] },
        }),
      }),
    ]);
  });

  it('only the API functions may put (what their presigned PUTs need) and only the import function may read', () => {
    const bucketArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack().importBucket.bucket), 'Arn'] });
    const grants = Object.values(resources(template(), 'AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[])
        .filter((statement) => JSON.stringify(statement.Resource).includes(bucketArn))
        .map((statement) => ({ roles: policy.Properties.Roles, sid: statement.Sid, action: statement.Action })),
    );
    const roleOf = (fnId: string) => [{ Ref: logicalId(stack().node.findChild('Functions').node.findChild(`${fnId}Role`)) }];
    expect(grants).toEqual(
      expect.arrayContaining([
        { roles: roleOf('ApiRead'), sid: 'PresignImportUploads', action: 's3:PutObject' },
        { roles: roleOf('ApiWrite'), sid: 'PresignImportUploads', action: 's3:PutObject' },
        { roles: roleOf('Import'), sid: 'ReadImports', action: 's3:GetObject' },
      ]),
    );
    expect(grants.filter((grant) => grant.sid !== undefined)).toHaveLength(3);
  });

  it('the import function retries twice (each run resumes after its last chunk) and waits for the migrations', () => {
    const config = Object.values(resources(template(), 'AWS::Lambda::EventInvokeConfig')).find(
      (candidate) => JSON.stringify(candidate.Properties.FunctionName) === JSON.stringify({ Ref: logicalId(stack().importFunction) }),
    )!;
    expect(config.Properties.MaximumRetryAttempts).toBe(2);
    expect(resources(template())[logicalId(stack().importFunction)]!.Properties.Timeout).toBe(900);
  });

  it('the export function takes no retries (a failed export is recorded as failed) and waits for the migrations', () => {
    const { stack, template } = dev;
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack.exportFunction) },
      MaximumRetryAttempts: 0,
    });
    const triggerId = logicalId(stack.migrationTrigger.node.findChild('Default'));
    expect(resources(template)[logicalId(stack.exportFunction)]!.DependsOn).toContain(triggerId);
  });
});
