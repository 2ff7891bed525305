import { z } from 'zod';

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
});

export type Config = Readonly<{
  databaseUrl: string | undefined;
  dataDir: string;
  dataApi: Readonly<{ clusterArn: string; secretArn: string; database: string; endpoint: string | undefined; region: string | undefined }> | undefined;
  poolSize: number;
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
          })
        : undefined,
    poolSize: e.DB_POOL_SIZE,
  });
}
