import { CfnOutput, Duration, RemovalPolicy, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Trigger } from 'aws-cdk-lib/triggers';
import type { Construct } from 'constructs';
import { ROUTE_GROUP_TABLE, ROUTE_GROUPS, type RouteGroup } from '../../functions/http/route.js';
import type { consumerHandlerFor } from '../../functions/integration/consumer-runtime.js';
import { IdentityEvents, OrderEvents } from '../../functions/integration/incoming-events.js';
import { EVENTS_SOURCE, type EnvironmentConfig, type IncomingSource } from '../config/environments.js';
import { CustomerDatabase } from '../constructs/customer-database.js';
import { ExportBucket } from '../constructs/export-bucket.js';
import { ImportBucket } from '../constructs/import-bucket.js';
import { IncomingEventConsumer } from '../constructs/incoming-event-consumer.js';
import { CustomerHttpApi, type RouteEntry } from '../constructs/customer-http-api.js';
import { ServiceAlarms } from '../constructs/service-alarms.js';
import { ServiceDashboard } from '../constructs/service-dashboard.js';
import { ServiceFunctions, type ServiceFunctionOptions } from '../constructs/service-functions.js';

/**
 * What each route group's function may do on the database. Reads get plain statements and the
 * read role; writes may use transactions with the write role. Whether a group publishes events,
 * and its description, come from the route group table. A new group fails to compile until it is
 * listed here.
 */
const ROUTE_GROUP_DATABASE: Record<RouteGroup, Pick<ServiceFunctionOptions, 'dataApi' | 'databaseUser'>> = {
  'api-read': { dataApi: 'statements', databaseUser: 'read' },
  'api-write': { dataApi: 'transactions', databaseUser: 'write' },
};

export const ROUTE_GROUP_ACCESS: Record<
  RouteGroup,
  Pick<ServiceFunctionOptions, 'dataApi' | 'databaseUser' | 'publishesEvents' | 'description'>
> = Object.fromEntries(ROUTE_GROUPS.map((group) => [group, { ...ROUTE_GROUP_DATABASE[group], ...ROUTE_GROUP_TABLE[group] }])) as Record<
  RouteGroup,
  Pick<ServiceFunctionOptions, 'dataApi' | 'databaseUser' | 'publishesEvents' | 'description'>
>;

export interface EventConsumerDefinition {
  /** Names the function, its rule and queues, and their alarms. */
  readonly functionId: string;
  /** The `Consumer` dimension of its DeadLetters metric (the name the handler passes to the runtime). */
  readonly consumer: Parameters<typeof consumerHandlerFor>[0];
  readonly entry: string;
  readonly description: string;
  /** The detail types the rule lets through: exactly those the consumer has a contract for. */
  readonly detailTypes: readonly string[];
}

/** One consumer function per source of other contexts' events. A new source fails to compile until it is listed here. */
export const EVENT_CONSUMERS: Record<IncomingSource, EventConsumerDefinition> = {
  identity: {
    functionId: 'IdentityEvents',
    consumer: 'identity-events',
    entry: 'functions/identity-events/handler.ts',
    description: 'Customer Management: applies Identity events (sign-ups, e-mail changes, sales-rep roles)',
    detailTypes: Object.keys(IdentityEvents),
  },
  'order-management': {
    functionId: 'OrderEvents',
    consumer: 'order-events',
    entry: 'functions/order-events/handler.ts',
    description: 'Customer Management: applies Order Management events (purchase history, customer lifecycle)',
    detailTypes: Object.keys(OrderEvents),
  },
};

export interface CustomerMgmtStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly routes: readonly RouteEntry[];
  /** The repository root (Lambda entries and package-lock.json). */
  readonly projectRoot: string;
  /** Changes on every deploy so that the migration trigger runs every time. */
  readonly deployId: string;
}

/** The whole Customer Management service in one environment: database, functions, API, events and their relay, consumers of other contexts' events, alarms. */
export class CustomerMgmtStack extends Stack {
  readonly config: EnvironmentConfig;
  readonly database: CustomerDatabase;
  readonly eventBus: IEventBus;
  readonly routeGroupFunctions: Readonly<Record<RouteGroup, NodejsFunction>>;
  readonly relayFunction: NodejsFunction;
  readonly privacyPepper: Secret;
  readonly relaySchedule: Rule;
  readonly analyticsFunction: NodejsFunction;
  readonly analyticsSchedule: Rule;
  readonly exportBucket: ExportBucket;
  readonly exportFunction: NodejsFunction;
  readonly importBucket: ImportBucket;
  readonly importFunction: NodejsFunction;
  readonly migrateFunction: NodejsFunction;
  readonly migrationTrigger: Trigger;
  /** The consumers of the sources this environment subscribes to (`events.consumers.sources`). */
  readonly consumers: Readonly<Partial<Record<IncomingSource, IncomingEventConsumer>>>;
  readonly api: CustomerHttpApi;
  readonly alarms: ServiceAlarms;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: CustomerMgmtStackProps) {
    const { config } = props;
    super(scope, id, {
      ...props,
      env: { account: config.account, region: config.region },
      terminationProtection: config.name === 'prod',
      description: `Customer Management (CRM bounded context), ${config.name}`,
    });
    this.config = config;
    const prefix = `customer-mgmt-${config.name}`;
    Tags.of(this).add('service', 'customer-mgmt');
    Tags.of(this).add('environment', config.name);

    this.database = new CustomerDatabase(this, 'Database', {
      clusterIdentifier: prefix,
      availabilityZones: config.availabilityZones,
      minCapacity: config.database.minCapacity,
      maxCapacity: config.database.maxCapacity,
      autoPauseAfter: config.database.autoPauseAfter,
      readers: config.database.readers,
      backupRetention: config.database.backupRetention,
      deletionProtection: config.database.deletionProtection,
      removalPolicy: config.removalPolicy,
      logRetention: config.logs.retention,
      logRemovalPolicy: config.logs.removalPolicy,
    });

    this.eventBus =
      config.eventBus.mode === 'create'
        ? new EventBus(this, 'EventBus', { eventBusName: config.eventBus.name, description: 'Customer Management domain events' })
        : EventBus.fromEventBusName(this, 'EventBus', config.eventBus.name);

    const functions = new ServiceFunctions(this, 'Functions', {
      projectRoot: props.projectRoot,
      database: {
        clusterArn: this.database.cluster.clusterArn,
        adminSecret: this.database.secret,
        roleSecrets: this.database.roleSecrets,
        databaseName: this.database.databaseName,
      },
      eventBus: this.eventBus,
      eventsSource: EVENTS_SOURCE,
      logLevel: config.logs.level,
      serviceName: prefix,
      environmentName: config.name,
      logRetention: config.logs.retention,
      removalPolicy: config.logs.removalPolicy,
    });

    this.routeGroupFunctions = Object.fromEntries(
      ROUTE_GROUPS.map((group) => [
        group,
        functions.add(functionId(group), { entry: `functions/${group}/handler.ts`, ...ROUTE_GROUP_ACCESS[group] }),
      ]),
    ) as Record<RouteGroup, NodejsFunction>;

    // Delivers the events the write path could not deliver right after its commit: woken by the
    // write path (asynchronous invoke), and on a slow schedule as the safety net.
    this.relayFunction = functions.add('OutboxRelay', {
      entry: 'functions/outbox-relay/handler.ts',
      description: 'Customer Management: publishes undelivered events from the outbox to EventBridge',
      dataApi: 'statements',
      databaseUser: 'write',
      publishesEvents: true,
      // Rides out an Aurora resume (45 s budget) and still sweeps.
      timeout: Duration.seconds(90),
      resumeBudget: 'background',
      // The next scheduled run is the retry; Lambda's own retries would only pile up runs.
      asyncRetryAttempts: 0,
    });
    functions.allowToWakeRelay(this.routeGroupFunctions['api-write'], this.relayFunction);

    // The pepper of the email suppression hashes (docs/privacy.md): generated once, kept with the
    // data it protects (never destroyed with a retained database), handed to the functions that
    // create customers as PRIVACY_EMAIL_PEPPER through a CloudFormation dynamic reference (the
    // template holds the reference, not the value).
    this.privacyPepper = new Secret(this, 'PrivacyEmailPepper', {
      description: 'Customer Management: pepper of the HMAC-SHA-256 hashes of suppressed (erased) emails',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // Kept as long as a retained database keeps the hashes it made (a secret has no snapshot policy).
      removalPolicy: config.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    Validations.of(this.privacyPepper).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The pepper must stay the same for as long as the hashes it made are kept: rotating it would silently unblock every suppressed email, so it is never rotated.',
    });
    this.routeGroupFunctions['api-write'].addEnvironment('PRIVACY_EMAIL_PEPPER', this.privacyPepper.secretValue.unsafeUnwrap());
    this.relaySchedule = new Rule(this, 'OutboxRelaySchedule', {
      description: 'Runs the Customer Management outbox relay (the safety net: the write path wakes it when needed)',
      schedule: Schedule.rate(config.events.relayInterval),
      targets: [new LambdaFunction(this.relayFunction, { retryAttempts: 0 })],
    });

    // Analytics runs: nightly on a schedule, and on POST /analytics/runs (the write function invokes it asynchronously).
    // A run longer than one invocation saves its progress and invokes this function again for the next leg.
    this.analyticsFunction = functions.add('Analytics', {
      entry: 'functions/analytics-run/handler.ts',
      description: 'Customer Management: analytics runs (fit BG/NBD and Gamma-Gamma, score every customer, churn-risk events)',
      dataApi: 'statements',
      databaseUser: 'write',
      // Its events go through the outbox; it wakes the relay rather than publishing itself.
      publishesEvents: false,
      timeout: Duration.minutes(15),
      memorySize: 2048,
      resumeBudget: 'background',
    });
    functions.allowToInvoke(this.analyticsFunction, this.analyticsFunction, 'ContinueAnalyticsRun');
    functions.allowToInvoke(this.routeGroupFunctions['api-write'], this.analyticsFunction, 'StartAnalyticsRun', 'ANALYTICS_FUNCTION_NAME');
    functions.allowToWakeRelay(this.analyticsFunction, this.relayFunction);
    this.analyticsSchedule = new Rule(this, 'AnalyticsSchedule', {
      description: 'Starts the nightly Customer Management analytics run',
      schedule: Schedule.cron({ hour: String(config.analytics.nightlyRunUtc.hour), minute: String(config.analytics.nightlyRunUtc.minute) }),
      targets: [new LambdaFunction(this.analyticsFunction, { retryAttempts: 2 })],
    });

    // Exports: POST /exports invokes the export function asynchronously; it streams the file into
    // the bucket, and GET /exports/{id} (the read function) presigns its download.
    this.exportBucket = new ExportBucket(this, 'Exports', { removalPolicy: config.logs.removalPolicy });
    this.exportFunction = functions.add('Export', {
      entry: 'functions/export-run/handler.ts',
      description: 'Customer Management: exports (a keyset walk over a search, streamed as CSV or JSONL into S3)',
      dataApi: 'statements',
      // It records its progress on the export (the read role may not).
      databaseUser: 'write',
      publishesEvents: false,
      timeout: Duration.minutes(15),
      memorySize: 1024,
      resumeBudget: 'background',
      // A failed export is recorded as failed; a retry would find it no longer queued.
      asyncRetryAttempts: 0,
      environment: { EXPORT_BUCKET: this.exportBucket.bucket.bucketName },
    });
    this.exportBucket.grantWrite(this.exportFunction);
    this.exportBucket.grantPresignedRead(this.routeGroupFunctions['api-read']);
    this.routeGroupFunctions['api-read'].addEnvironment('EXPORT_BUCKET', this.exportBucket.bucket.bucketName);
    functions.allowToInvoke(this.routeGroupFunctions['api-write'], this.exportFunction, 'StartExport', 'EXPORT_FUNCTION_NAME');

    // Imports: POST /imports (and GET /imports/{id}) presign a PUT into the import bucket; the upload
    // invokes the import function, which writes the rows through the batch path in transactions
    // (with their events) and its error report into the export bucket (downloaded like an export).
    this.importBucket = new ImportBucket(this, 'Imports', { removalPolicy: config.logs.removalPolicy });
    this.importFunction = functions.add('Import', {
      entry: 'functions/import-run/handler.ts',
      description: 'Customer Management: CSV imports (streamed from S3, written chunk by chunk through the batch path)',
      // Each chunk is one transaction with its progress.
      dataApi: 'transactions',
      databaseUser: 'write',
      publishesEvents: true,
      timeout: Duration.minutes(15),
      memorySize: 1024,
      resumeBudget: 'background',
      // A crashed or timed-out run is retried, and resumes after its last recorded chunk.
      asyncRetryAttempts: 2,
      environment: { IMPORT_BUCKET: this.importBucket.bucket.bucketName, EXPORT_BUCKET: this.exportBucket.bucket.bucketName },
    });
    this.importBucket.notifyOnUpload(this.importFunction);
    this.importBucket.grantRead(this.importFunction);
    this.exportBucket.grantWrite(this.importFunction);
    functions.allowToInvoke(this.importFunction, this.importFunction, 'ContinueImport');
    functions.allowToWakeRelay(this.importFunction, this.relayFunction);
    for (const group of ['api-read', 'api-write'] as const) {
      this.importBucket.grantPresignedUpload(this.routeGroupFunctions[group]);
      this.routeGroupFunctions[group].addEnvironment('IMPORT_BUCKET', this.importBucket.bucket.bucketName);
    }

    this.migrateFunction = functions.add('Migrate', {
      entry: 'functions/migrate/handler.ts',
      description: 'Customer Management: applies database migrations during each deploy',
      dataApi: 'transactions',
      // The master user: the only one that may change the schema and the roles.
      databaseUser: 'admin',
      publishesEvents: false,
      timeout: Duration.minutes(5),
      resumeBudget: 'background',
      environment: { DEPLOY_ID: props.deployId },
    });
    // Runs after the cluster (and its writer and secret) exist and before any API function is
    // created or updated, so new code never meets an old schema; a failed migration fails the deploy.
    this.migrationTrigger = new Trigger(this, 'MigrateOnDeploy', {
      handler: this.migrateFunction,
      executeOnHandlerChange: true,
      executeAfter: [this.database],
      timeout: Duration.minutes(6),
    });
    this.migrationTrigger.executeBefore(
      ...Object.values(this.routeGroupFunctions),
      this.relayFunction,
      this.analyticsFunction,
      this.exportFunction,
      this.importFunction,
    );

    // Rules on the bus route other contexts' events to their consumers. A consumer waits for the
    // migrations like the API functions, and its rule is only created once the function exists.
    const consumerConfig = config.events.consumers;
    const consumers: Partial<Record<IncomingSource, IncomingEventConsumer>> = {};
    for (const source of consumerConfig.sources) {
      const definition = EVENT_CONSUMERS[source];
      const consumer = new IncomingEventConsumer(this, definition.functionId, {
        functions,
        functionId: definition.functionId,
        entry: definition.entry,
        description: definition.description,
        eventBus: this.eventBus,
        source,
        detailTypes: definition.detailTypes,
        deliveryMaxEventAge: consumerConfig.deliveryMaxEventAge,
        deliveryRetryAttempts: consumerConfig.deliveryRetryAttempts,
        handlerRetryAttempts: consumerConfig.handlerRetryAttempts,
      });
      this.migrationTrigger.executeBefore(consumer.function);
      functions.allowToWakeRelay(consumer.function, this.relayFunction);
      // Identity sign-ups create customers: they check the suppression list too.
      consumer.function.addEnvironment('PRIVACY_EMAIL_PEPPER', this.privacyPepper.secretValue.unsafeUnwrap());
      consumers[source] = consumer;
    }
    this.consumers = consumers;

    this.api = new CustomerHttpApi(this, 'Api', {
      apiName: prefix,
      routes: props.routes,
      functions: this.routeGroupFunctions,
      jwtIssuer: config.auth.issuer,
      jwtAudience: config.auth.audience,
      throttle: config.api.throttle,
      corsAllowOrigins: config.api.cors.allowOrigins,
      corsMaxAge: config.api.cors.maxAge,
      accessLogRetention: config.logs.retention,
      removalPolicy: config.logs.removalPolicy,
    });

    this.alarms = new ServiceAlarms(this, 'Alarms', { prefix, environment: config.name, email: config.alarms.email });
    this.alarms.watchHttpApi(this.api.httpApi, {
      serverErrorRatePercent: config.alarms.apiServerErrorRatePercent,
      latencyP99Millis: config.alarms.apiLatencyP99Millis,
    });
    for (const group of ROUTE_GROUPS) this.alarms.watchFunction(functionId(group), this.routeGroupFunctions[group]);
    this.alarms.watchFunction('OutboxRelay', this.relayFunction);
    this.alarms.watchFunction('Analytics', this.analyticsFunction);
    this.alarms.watchFunction('Export', this.exportFunction);
    this.alarms.watchFunction('Import', this.importFunction);
    this.alarms.watchParkedEvents();
    this.alarms.watchUndeliveredEvents(config.alarms.oldestUndeliveredEventSeconds);
    this.alarms.watchDataApi();
    this.alarms.watchDatabaseCapacity(this.database.cluster.clusterIdentifier, config.database.maxCapacity);
    for (const source of consumerConfig.sources) {
      const { functionId, consumer } = EVENT_CONSUMERS[source];
      const { function: fn, deliveryDlq, handlerDlq } = consumers[source]!;
      this.alarms.watchFunction(functionId, fn);
      this.alarms.watchDeadLetterQueue(`${functionId}DeliveryDlq`, deliveryDlq);
      this.alarms.watchDeadLetterQueue(`${functionId}HandlerDlq`, handlerDlq);
      this.alarms.watchDeadLetters(functionId, consumer);
    }

    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      name: prefix,
      environment: config.name,
      api: this.api.httpApi,
      functions: {
        ...Object.fromEntries(ROUTE_GROUPS.map((group) => [functionId(group), this.routeGroupFunctions[group]])),
        OutboxRelay: this.relayFunction,
        Analytics: this.analyticsFunction,
        Export: this.exportFunction,
        Import: this.importFunction,
        ...Object.fromEntries(consumerConfig.sources.map((source) => [EVENT_CONSUMERS[source].functionId, consumers[source]!.function])),
      },
      consumers: consumerConfig.sources.map((source) => ({
        name: EVENT_CONSUMERS[source].functionId,
        consumer: EVENT_CONSUMERS[source].consumer,
        deliveryDlq: consumers[source]!.deliveryDlq,
        handlerDlq: consumers[source]!.handlerDlq,
      })),
      clusterIdentifier: this.database.cluster.clusterIdentifier,
      maxCapacity: config.database.maxCapacity,
    }).dashboard;

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Invoke URL; routes sit below /api/v1/customer-mgmt' });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'ClusterArn', { value: this.database.cluster.clusterArn });
    new CfnOutput(this, 'DatabaseSecretArn', { value: this.database.secret.secretArn });
    new CfnOutput(this, 'ExportBucketName', { value: this.exportBucket.bucket.bucketName });
    new CfnOutput(this, 'ImportBucketName', { value: this.importBucket.bucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: prefix, description: 'CloudWatch dashboard of this environment' });
    for (const source of consumerConfig.sources) {
      const { functionId } = EVENT_CONSUMERS[source];
      const { deliveryDlq, handlerDlq } = consumers[source]!;
      new CfnOutput(this, `${functionId}DeliveryDlqUrl`, {
        value: deliveryDlq.queueUrl,
        description: `${source} events EventBridge could not deliver`,
      });
      new CfnOutput(this, `${functionId}HandlerDlqUrl`, {
        value: handlerDlq.queueUrl,
        description: `${source} events the consumer failed on after its retries`,
      });
    }
  }

  /** Availability zones come from the config: synthesis never looks them up in the account. */
  override get availabilityZones(): string[] {
    return [...this.config.availabilityZones];
  }
}

/** `api-read` → `ApiRead`. */
function functionId(group: RouteGroup): string {
  return group.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}
