import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeKey, ROUTE_GROUPS, type RouteGroup } from '../../functions/http/route.js';
import { routes } from '../../functions/routes.js';
import { RELAY_METRICS } from '../../functions/events/relay-metrics.js';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/customer-http-api.js';
import { ServiceAlarms } from '../../infra/constructs/service-alarms.js';
import { logicalId, removeSynthOutputs, resolved, resources, scratchApp, synthService, type SynthesizedService } from './service-app-fixture.js';

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
  expect(attached).toHaveLength(1);
  return attached[0]!.Properties.PolicyDocument.Statement;
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
    const [apiRoute] = Object.values(resources(template, 'AWS::ApiGatewayV2::Route')).filter((candidate) => candidate.Properties.RouteKey === key);
    const integrationId = apiRoute!.Properties.Target['Fn::Join'][1][1].Ref as string;
    const integration = resources(template)[integrationId]!;

    if (route.public) {
      expect(apiRoute!.Properties.AuthorizationType).toBe('NONE');
    } else {
      expect(apiRoute!.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: logicalId(stack.api.node.findChild('HttpApi').node.findChild('JwtAuthorizer')) } });
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
        DefaultRouteSettings: { ThrottlingRateLimit: stack.config.api.throttle.rateLimit, ThrottlingBurstLimit: stack.config.api.throttle.burstLimit },
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
  const fnIds = { 'customers-read': 'CustomersRead', 'customers-write': 'CustomersWrite' } satisfies Record<RouteGroup, string>;

  it.each([...ROUTE_GROUPS.map((group) => fnIds[group]), 'OutboxRelay', 'Migrate'])('%s runs Node.js 24 on arm64 with JSON logs', (fnId) => {
    const fn = dev.stack.node.findChild('Functions').node.findChild(fnId);
    const { Properties } = resources(dev.template)[logicalId(fn)]!;

    expect(Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', LogGroup: { Ref: logicalId(dev.stack.node.findChild('Functions').node.findChild(`${fnId}Logs`)) } },
    });
    expect(Properties.VpcConfig).toBeUndefined();
    expect(Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
  });

  it('gives each function exactly the environment it reads', () => {
    const { stack, template } = dev;
    const database = {
      DB_CLUSTER_ARN: resolved(stack, stack.database.cluster.clusterArn),
      DB_SECRET_ARN: resolved(stack, stack.database.secret.secretArn),
      DB_NAME: 'customer_mgmt',
      LOG_LEVEL: 'debug',
    };
    const variables = (fnId: string) => resources(template)[logicalId(stack.node.findChild('Functions').node.findChild(fnId))]!.Properties.Environment.Variables;

    expect(variables('CustomersRead')).toEqual(database);
    expect(variables('CustomersWrite')).toEqual({ ...database, EVENT_BUS_NAME: resolved(stack, stack.eventBus.eventBusName), EVENTS_SOURCE: 'customer-mgmt' });
    expect(variables('OutboxRelay')).toEqual({
      ...database,
      EVENT_BUS_NAME: resolved(stack, stack.eventBus.eventBusName),
      EVENTS_SOURCE: 'customer-mgmt',
      SERVICE_NAME: 'customer-mgmt-dev',
    });
    expect(variables('Migrate')).toEqual({ ...database, DEPLOY_ID: 'test-deploy' });
  });
});

describe('outbox relay', () => {
  it('runs on the configured schedule, without retries (the next run is the retry)', () => {
    const { stack, template } = dev;
    const [rule] = Object.values(resources(template, 'AWS::Events::Rule'));

    expect(rule!.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
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
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: logicalId(stack.relayFunction) }, MaximumRetryAttempts: 0 });
    expect(resources(template)[logicalId(stack.relayFunction)]!.Properties.Timeout).toBe(60);
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
  const secret = (s: SynthesizedService) => ({
    Sid: 'DatabaseSecret',
    Action: 'secretsmanager:GetSecretValue',
    Effect: 'Allow',
    Resource: resolved(s.stack, s.stack.database.secret.secretArn),
  });
  const transactions = ['rds-data:BeginTransaction', 'rds-data:CommitTransaction', 'rds-data:ExecuteStatement', 'rds-data:RollbackTransaction'];

  it('read: plain statements on the cluster, the secret, its own logs; no events, no transactions', () => {
    expect(statementsOf(dev, 'CustomersRead')).toEqual([logs(dev, 'CustomersRead'), dataApi(dev, 'rds-data:ExecuteStatement'), secret(dev)]);
  });

  it('write: transactions, the secret, and PutEvents on the bus for its own source only', () => {
    expect(statementsOf(dev, 'CustomersWrite')).toEqual([
      logs(dev, 'CustomersWrite'),
      dataApi(dev, transactions),
      secret(dev),
      {
        Sid: 'PublishEvents',
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: resolved(dev.stack, dev.stack.eventBus.eventBusArn),
        Condition: { StringEquals: { 'events:source': ['customer-mgmt'] } },
      },
    ]);
  });

  it('relay: plain statements, the secret, and PutEvents on the bus for its own source only', () => {
    expect(statementsOf(dev, 'OutboxRelay')).toEqual([
      logs(dev, 'OutboxRelay'),
      dataApi(dev, 'rds-data:ExecuteStatement'),
      secret(dev),
      {
        Sid: 'PublishEvents',
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: resolved(dev.stack, dev.stack.eventBus.eventBusArn),
        Condition: { StringEquals: { 'events:source': ['customer-mgmt'] } },
      },
    ]);
  });

  it('migrate: transactions and the secret, no events', () => {
    expect(statementsOf(dev, 'Migrate')).toEqual([logs(dev, 'Migrate'), dataApi(dev, transactions), secret(dev)]);
  });

  it('publishes to the imported platform bus where the environment says so', () => {
    const putEvents = statementsOf(staging, 'CustomersWrite').find((statement) => (statement as { Sid?: string }).Sid === 'PublishEvents');

    expect(putEvents).toMatchObject({ Resource: 'arn:aws:events:eu-central-1:222222222222:event-bus/platform-events-staging' });
    staging.template.resourceCountIs('AWS::Events::EventBus', 0);
    dev.template.resourceCountIs('AWS::Events::EventBus', 1);
  });

  it('uses no managed policies and no wildcard resources on the function roles', () => {
    for (const fnId of ['CustomersRead', 'CustomersWrite', 'OutboxRelay', 'Migrate']) {
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
      MasterUserPassword: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    dev.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PubliclyAccessible: false });
    dev.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    dev.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    dev.template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    for (const subnet of Object.values(resources(dev.template, 'AWS::EC2::Subnet'))) {
      expect(subnet.Properties.Tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: 'Isolated' });
    }
  });

  it('prod retains data and has deletion protection', () => {
    prod.template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: true, ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 } });
    prod.template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    prod.template.allResources('AWS::RDS::DBInstance', { DeletionPolicy: 'Retain' });
    prod.template.resourceCountIs('AWS::RDS::DBInstance', 2);
    prod.template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    prod.template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    expect(prod.stack.terminationProtection).toBe(true);
  });

  it('dev can be torn down completely', () => {
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
    expect(trigger!.DependsOn).toEqual(expect.arrayContaining([logicalId(stack.database.cluster), logicalId(stack.database.cluster.node.findChild('Writer'))]));
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
  it('watches API 5xx rate and p99 latency, errors and throttles of every function but migrate, and parked events, through SNS', () => {
    const { stack, template } = dev;
    const names = Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties.AlarmName);

    expect(names.sort()).toEqual(
      [
        'Api5xxRate',
        'ApiLatencyP99',
        'CustomersReadErrors',
        'CustomersReadThrottles',
        'CustomersWriteErrors',
        'CustomersWriteThrottles',
        'OutboxRelayErrors',
        'OutboxRelayThrottles',
        'ParkedEvents',
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
      Namespace: RELAY_METRICS.namespace,
      MetricName: 'ParkedEvents',
      Dimensions: [{ Name: 'Service', Value: 'customer-mgmt-dev' }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('can watch a dead-letter queue (for the event consumers)', () => {
    const stack = new Stack(scratchApp(), 'AlarmsOnly');
    const alarms = new ServiceAlarms(stack, 'Alarms', { prefix: 'customer-mgmt-test' });

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
