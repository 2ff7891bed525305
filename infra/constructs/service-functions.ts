import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { API_RESUME_RETRY, BACKGROUND_RESUME_RETRY } from '../../functions/db/resilient-data-api-client.js';
import type { DatabaseRole } from '../../functions/db/database-roles.js';
import type { FunctionLogLevel } from '../config/environments.js';

/** API Gateway gives an integration 30 s; the API functions stop before it. */
export const API_FUNCTION_TIMEOUT = Duration.seconds(28);

/** Pinned (Node.js 24, the newest Lambda runtime): without `runtime`, NodejsFunction silently picks an old default. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/**
 * Data API actions by need. Plain statements are enough for reads (and for writes that are one
 * CTE statement); explicit transactions (migrations, multi-statement writes) add the rest.
 */
export const DATA_API_ACTIONS = {
  statements: ['rds-data:ExecuteStatement'],
  transactions: ['rds-data:ExecuteStatement', 'rds-data:BeginTransaction', 'rds-data:CommitTransaction', 'rds-data:RollbackTransaction'],
} as const;
export type DataApiAccess = keyof typeof DATA_API_ACTIONS;

/**
 * `require` for the CommonJS packages inside the ESM bundle (pg asks for `events`, `net`, …);
 * without it esbuild's shim throws "Dynamic require of … is not supported" at cold start.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Never bundled: PGlite is imported lazily for local runs only, pg-native is pg's optional addon. */
export const EXTERNAL_MODULES = ['@electric-sql/pglite', 'pg-native'];

/**
 * Packages bundled as another file (esbuild `alias`; paths relative to the project root). The SDK
 * clients' default credential chain becomes the environment alone, the only link that ever answers
 * inside Lambda (functions/lambda-credentials.ts): ~114 KB less in every bundle (issue 17).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': 'functions/lambda-credentials.ts',
};

/** BUNDLE_ALIASES as esbuild's `--alias:package=/absolute/file` arguments. */
export const aliasArguments = (projectRoot: string) =>
  Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${join(projectRoot, to)}`);

export interface DatabaseTarget {
  readonly clusterArn: string;
  /** The master user's secret (RDS-managed): the migrate function's only. */
  readonly adminSecret: ISecret;
  /** The least-privilege roles' secrets. */
  readonly roleSecrets: Readonly<Record<DatabaseRole, ISecret>>;
  readonly databaseName: string;
}

/** Who the function is to PostgreSQL: a least-privilege role, or the master user (migrations only). */
export type DatabaseUser = DatabaseRole | 'admin';

export interface ServiceFunctionsProps {
  /** The repository root: entries, package-lock.json and tsconfig.json are found from here. */
  readonly projectRoot: string;
  readonly database: DatabaseTarget;
  readonly eventBus: IEventBus;
  readonly eventsSource: string;
  readonly logLevel: FunctionLogLevel;
  /** SERVICE_NAME (`customer-mgmt-<env>`): the `service` of every log line, metric and trace. */
  readonly serviceName: string;
  /** ENVIRONMENT_NAME: the `environment` of every log line and metric. */
  readonly environmentName: string;
  readonly logRetention: RetentionDays;
  /** Applied to the functions' log groups. */
  readonly removalPolicy: RemovalPolicy;
  /** Ship source maps and turn them on at runtime (costs cold-start time; off by default). */
  readonly sourceMaps?: boolean;
}

export interface ServiceFunctionOptions {
  /** Entry file relative to the project root; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly dataApi: DataApiAccess;
  /** The database user whose secret the function gets (DB_SECRET_ARN) and may read. */
  readonly databaseUser: DatabaseUser;
  /** Grants PutEvents on the bus (for this service's source only) and sets EVENT_BUS_NAME / EVENTS_SOURCE. */
  readonly publishesEvents: boolean;
  /** Default 28 s: below API Gateway's 30 s, room for the API's resume budget. */
  readonly timeout?: Duration;
  /**
   * How long Data API calls wait for a resuming or unavailable cluster (DB_RESUME_BUDGET_MS):
   * `api` (20 s, answers 503 after) or `background` (45 s, for asynchronous functions).
   * The timeout must leave room for it and the statements after it.
   */
  readonly resumeBudget?: 'api' | 'background';
  readonly memorySize?: number;
  /** Lambda's own retries of a failed asynchronous invocation (default 2); a scheduled sweeper wants none. */
  readonly asyncRetryAttempts?: number;
  /** Where an asynchronous invocation goes once its retries failed (grants `sqs:SendMessage` on this queue only). */
  readonly deadLetterQueue?: IQueue;
  readonly environment?: Readonly<Record<string, string>>;
}

const APPLICATION_LOG_LEVELS: Record<FunctionLogLevel, ApplicationLogLevel> = {
  debug: ApplicationLogLevel.DEBUG,
  info: ApplicationLogLevel.INFO,
  warn: ApplicationLogLevel.WARN,
  error: ApplicationLogLevel.ERROR,
};

/**
 * Creates every Lambda function of the service with one set of defaults: Node.js 24 on arm64, an
 * ESM bundle built by the local esbuild (no Docker), JSON logs into a log group with retention,
 * its own role and only the grants the function declares.
 */
export class ServiceFunctions extends Construct {
  private readonly props: ServiceFunctionsProps;

  constructor(scope: Construct, id: string, props: ServiceFunctionsProps) {
    super(scope, id);
    this.props = props;
  }

  /**
   * Lets `fn` wake the outbox relay for events it could not deliver itself: an asynchronous
   * invoke of that one function (RELAY_FUNCTION_NAME).
   */
  allowToWakeRelay(fn: NodejsFunction, relay: NodejsFunction): void {
    fn.addEnvironment('RELAY_FUNCTION_NAME', relay.functionName);
    fn.role!.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'WakeRelay', effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [relay.functionArn] }),
    );
  }

  /**
   * Lets `fn` invoke `target` asynchronously (and tells it the name in `variable`, when given). A function that is its
   * own target (the analytics function invokes its next leg, knowing its name from AWS_LAMBDA_FUNCTION_NAME) gets the
   * grant in an inline policy of its own: in the role's default policy, which the function depends on, it would be a cycle.
   */
  allowToInvoke(fn: NodejsFunction, target: NodejsFunction, sid: string, variable?: string): void {
    if (variable) fn.addEnvironment(variable, target.functionName);
    const statement = new PolicyStatement({
      sid,
      effect: Effect.ALLOW,
      actions: ['lambda:InvokeFunction'],
      resources: [target.functionArn],
    });
    if (fn !== target) fn.role!.addToPrincipalPolicy(statement);
    else fn.role!.attachInlinePolicy(new Policy(this, `${fn.node.id}${sid}`, { statements: [statement] }));
  }

  /** A function with its own log group and role; `id` names both in the template. */
  add(id: string, options: ServiceFunctionOptions): NodejsFunction {
    const { projectRoot, database, eventBus, sourceMaps = false } = this.props;
    const entry = join(projectRoot, options.entry);
    if (!existsSync(entry)) throw new Error(`Lambda entry ${options.entry} does not exist (function ${id})`);

    const logGroup = new LogGroup(this, `${id}Logs`, { retention: this.props.logRetention, removalPolicy: this.props.removalPolicy });
    // An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this function's group only.
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${id} function of customer-mgmt`,
    });
    logGroup.grantWrite(role);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DataApi',
        effect: Effect.ALLOW,
        actions: [...DATA_API_ACTIONS[options.dataApi]],
        resources: [database.clusterArn],
      }),
    );
    // The Data API reads the secret with the caller's credentials: each function gets its own
    // user's secret; the migrate function also reads the roles' secrets to set their passwords.
    const secret = options.databaseUser === 'admin' ? database.adminSecret : database.roleSecrets[options.databaseUser];
    const roleSecrets = options.databaseUser === 'admin' ? Object.values(database.roleSecrets) : [];
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DatabaseSecret',
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secret.secretArn, ...roleSecrets.map((roleSecret) => roleSecret.secretArn)],
      }),
    );
    if (options.publishesEvents) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'PublishEvents',
          effect: Effect.ALLOW,
          actions: ['events:PutEvents'],
          resources: [eventBus.eventBusArn],
          conditions: { StringEquals: { 'events:source': [this.props.eventsSource] } },
        }),
      );
    }

    const retry = options.resumeBudget === 'background' ? BACKGROUND_RESUME_RETRY : API_RESUME_RETRY;
    const timeout = options.timeout ?? API_FUNCTION_TIMEOUT;
    if (retry.budgetMs + 5_000 > timeout.toMilliseconds())
      throw new Error(`Function ${id}: its ${timeout.toSeconds()} s timeout leaves no room for a ${retry.budgetMs} ms resume budget`);

    // Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*" to the role.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement Lambda adds for active tracing has "*": PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
    });

    return new NodejsFunction(this, id, {
      description: options.description,
      entry,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: options.memorySize ?? 512,
      timeout,
      ...(options.asyncRetryAttempts !== undefined && { retryAttempts: options.asyncRetryAttempts }),
      ...(options.deadLetterQueue && { deadLetterQueue: options.deadLetterQueue }),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      // X-Ray: Powertools Tracer records the invocation and the RDS Data, EventBridge and Lambda calls.
      tracing: Tracing.ACTIVE,
      applicationLogLevelV2: APPLICATION_LOG_LEVELS[this.props.logLevel],
      systemLogLevelV2: SystemLogLevel.INFO,
      environment: {
        DB_CLUSTER_ARN: database.clusterArn,
        DB_SECRET_ARN: secret.secretArn,
        ...(roleSecrets.length > 0 && { DB_ROLE_SECRET_ARNS: roleSecrets.map((roleSecret) => roleSecret.secretArn).join(',') }),
        DB_NAME: database.databaseName,
        LOG_LEVEL: this.props.logLevel,
        SERVICE_NAME: this.props.serviceName,
        ENVIRONMENT_NAME: this.props.environmentName,
        DB_RESUME_BUDGET_MS: String(retry.budgetMs),
        ...(options.publishesEvents ? { EVENT_BUS_NAME: eventBus.eventBusName, EVENTS_SOURCE: this.props.eventsSource } : {}),
        ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        ...options.environment,
      },
      currentVersionOptions: { removalPolicy: RemovalPolicy.DESTROY },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        target: 'node24',
        minify: true,
        sourceMap: sourceMaps,
        // Bundled, not taken from the runtime (which ships SDK v3 too): the SDK version we test is
        // the one that runs (our retries read its exception names), and loading the runtime's
        // unbundled SDK is slower although the file is smaller. Measured twice (issue 17): api-read
        // imported in 1,476 ms against 918 ms bundled (9 fresh processes each, loaded machine), and
        // again 502 against 249 ms with the file at 939 KB instead of 1,499 (median of 7 each, taken
        // alternately); the RDS Data client alone imports in ~65 ms bundled (305 KB) against ~130 ms
        // from node_modules. See docs/benchmarks.md (bundles, third pass).
        bundleAwsSDK: true,
        externalModules: EXTERNAL_MODULES,
        esbuildArgs: { '--alias': aliasArguments(projectRoot) },
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });
  }
}
