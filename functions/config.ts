import * as z from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const ConfigSchema = z.object({
  DATABASE_URL: optionalText,
  DATA_DIR: z.string().trim().min(1).default('.data'),
  DB_CLUSTER_ARN: optionalText,
  DB_SECRET_ARN: optionalText,
  DB_NAME: optionalText,
  DATA_API_ENDPOINT: optionalText,
  AWS_REGION: optionalText,
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(16),
  DB_ROLE_SECRET_ARNS: optionalText,
  DB_RESUME_BUDGET_MS: z.coerce.number().int().min(0).max(300_000).default(20_000),
  EVENT_BUS_NAME: optionalText,
  EVENTS_SOURCE: z.string().trim().min(1).default('customer-mgmt'),
  EVENTS_DELIVER_AFTER_COMMIT: z.enum(['true', 'false']).default('true'),
  EVENTS_PUBLISH_BUDGET_MS: z.coerce.number().int().min(0).max(10_000).default(300),
  EVENTS_RELAY_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  EVENTS_RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(100),
  EVENTS_RELAY_LEASE_MS: z.coerce.number().int().min(1_000).max(900_000).default(60_000),
  EVENTS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  RELAY_FUNCTION_NAME: optionalText,
  SERVICE_NAME: z.string().trim().min(1).default('customer-mgmt'),
  ANALYTICS_FUNCTION_NAME: optionalText,
  PRIVACY_EMAIL_PEPPER: optionalText,
  EXPORT_FUNCTION_NAME: optionalText,
  EXPORT_BUCKET: optionalText,
  IMPORT_BUCKET: optionalText,
});

export type Config = Readonly<{
  databaseUrl: string | undefined;
  dataDir: string;
  dataApi:
    | Readonly<{
        clusterArn: string;
        secretArn: string;
        database: string;
        endpoint: string | undefined;
        region: string | undefined;
        /** How long a call waits for a resuming or unavailable cluster before failing. */
        resumeBudgetMs: number;
      }>
    | undefined;
  poolSize: number;
  /** The migrate function only: secrets of the application roles whose passwords it sets. */
  databaseRoleSecretArns: readonly string[];
  events: Readonly<{
    /** Publish to this EventBridge bus; unset, nothing is sent from Lambda (locally the in-process bus is used). */
    busName: string | undefined;
    source: string;
    /**
     * Whether a write publishes its events right after it commits (+2 database calls per write,
     * events seen within milliseconds) or leaves them to the relay (1 call, events within one
     * relay interval).
     */
    deliverAfterCommit: boolean;
    /** How long a write request may spend delivering its events right after commit. */
    publishBudgetMs: number;
    /** The relay Lambda the write path wakes (asynchronous invoke) for events it did not deliver. */
    relayFunctionName: string | undefined;
    relay: Readonly<{
      /** The local relay's timer; on AWS the schedule comes from the CDK environment config. */
      intervalMs: number;
      batchSize: number;
      leaseMs: number;
      maxAttempts: number;
    }>;
  }>;
  /** The `Service` dimension of the metrics this service emits. */
  serviceName: string;
  /** The analytics function POST /analytics/runs invokes asynchronously; unset, runs go on in-process (locally). */
  analyticsFunctionName: string | undefined;
  /** The pepper of the email suppression hashes (docs/privacy.md); unset, one generated under DATA_DIR is used. */
  privacyEmailPepper: string | undefined;
  /** The export function POST /exports invokes asynchronously; unset, exports go on in-process (locally). */
  exportFunctionName: string | undefined;
  /** The S3 bucket of export files (the export function writes, the read function signs download URLs); unset locally. */
  exportBucket: string | undefined;
  /** The S3 bucket import files are uploaded to (the API presigns the PUT, the import function reads); unset locally. */
  importBucket: string | undefined;
}>;

/** Parses the environment once; a missing or malformed variable fails naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataApiVariables = [e.DB_CLUSTER_ARN, e.DB_SECRET_ARN, e.DB_NAME];
  if (dataApiVariables.some(Boolean) && !dataApiVariables.every(Boolean)) {
    throw new Error('Invalid configuration: DB_CLUSTER_ARN, DB_SECRET_ARN and DB_NAME must be set together to use the RDS Data API');
  }
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    dataApi:
      e.DB_CLUSTER_ARN && e.DB_SECRET_ARN && e.DB_NAME
        ? Object.freeze({
            clusterArn: e.DB_CLUSTER_ARN,
            secretArn: e.DB_SECRET_ARN,
            database: e.DB_NAME,
            endpoint: e.DATA_API_ENDPOINT,
            region: e.AWS_REGION,
            resumeBudgetMs: e.DB_RESUME_BUDGET_MS,
          })
        : undefined,
    poolSize: e.DB_POOL_SIZE,
    databaseRoleSecretArns: Object.freeze(
      (e.DB_ROLE_SECRET_ARNS ?? '')
        .split(',')
        .map((arn) => arn.trim())
        .filter(Boolean),
    ),
    events: Object.freeze({
      busName: e.EVENT_BUS_NAME,
      source: e.EVENTS_SOURCE,
      deliverAfterCommit: e.EVENTS_DELIVER_AFTER_COMMIT === 'true',
      publishBudgetMs: e.EVENTS_PUBLISH_BUDGET_MS,
      relayFunctionName: e.RELAY_FUNCTION_NAME,
      relay: Object.freeze({
        intervalMs: e.EVENTS_RELAY_INTERVAL_MS,
        batchSize: e.EVENTS_RELAY_BATCH_SIZE,
        leaseMs: e.EVENTS_RELAY_LEASE_MS,
        maxAttempts: e.EVENTS_MAX_ATTEMPTS,
      }),
    }),
    serviceName: e.SERVICE_NAME,
    analyticsFunctionName: e.ANALYTICS_FUNCTION_NAME,
    privacyEmailPepper: e.PRIVACY_EMAIL_PEPPER,
    exportFunctionName: e.EXPORT_FUNCTION_NAME,
    exportBucket: e.EXPORT_BUCKET,
    importBucket: e.IMPORT_BUCKET,
  });
}
