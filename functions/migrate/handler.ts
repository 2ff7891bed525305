import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { sql, type Kysely } from 'kysely';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../config.js';
import { openDataApiDatabase } from '../db/data-api-database.js';
import { migrateDatabase, type MigrationReport } from '../db/migrate.js';
import { observability, observed, traced } from '../observability.js';
import { parseRoleSecret, setRolePasswords, type RoleCredentials } from '../db/database-roles.js';

const config = loadConfig();
const { logger } = observability();

/** How long to wait for a paused (scale-to-zero) Aurora writer to come back before giving up. */
const RESUME_ATTEMPTS = 12;
const RESUME_DELAY_MS = 5_000;

const NOT_YET_AVAILABLE = new Set(['DatabaseResumingException', 'DatabaseUnavailableException']);

function isResuming(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (NOT_YET_AVAILABLE.has(cause.name)) return true;
  }
  return false;
}

/**
 * A paused (or just created) Serverless v2 writer refuses statements until it is up. The Data API
 * client already retries for up to DB_RESUME_BUDGET_MS (45 s) per call; a deploy can afford to
 * wait longer than that.
 */
async function waitForDatabase(db: Kysely<any>, requestId: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await sql`select 1`.execute(db);
      return;
    } catch (error) {
      if (!isResuming(error) || attempt >= RESUME_ATTEMPTS) throw error;
      logger.info('database is resuming, waiting', { request_id: requestId, attempt });
      await new Promise((resolve) => setTimeout(resolve, RESUME_DELAY_MS));
    }
  }
}

// Opened only when there are role secrets to read (the deploy-time function on AWS).
let secrets: SecretsManagerClient | undefined;

/** The application roles' credentials, from the secrets CDK created for them (DB_ROLE_SECRET_ARNS). */
async function roleCredentials(): Promise<RoleCredentials[]> {
  if (config.databaseRoleSecretArns.length === 0) return [];
  secrets ??= traced(new SecretsManagerClient({}));
  const client = secrets;
  return Promise.all(
    config.databaseRoleSecretArns.map(async (arn) =>
      parseRoleSecret((await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString),
    ),
  );
}

/**
 * Invoked by the deploy-time trigger before the API functions are updated, and again with the
 * previous function version when CloudFormation rolls an update back. Applies every pending
 * migration; a database ahead of this code (the rollback case) is logged and is a success, since
 * every migration is expand/contract and the older functions keep working on the newer schema.
 * Then gives the application roles the passwords their secrets hold (every deploy, idempotent).
 * Throwing makes the trigger, and with it the deploy, fail.
 */
async function migrate(_event: unknown, context: Context): Promise<MigrationReport> {
  const requestId = context.awsRequestId;
  const database = openDataApiDatabase(config);
  try {
    await waitForDatabase(database.db, requestId);
    const report = await migrateDatabase(database.db);
    const roles = await setRolePasswords(database.db, await roleCredentials());
    if (roles.length > 0) logger.info('database role passwords set from their secrets', { request_id: requestId, roles });
    if (report.unknown.length > 0) {
      logger.warn('the database has migrations this code does not know (a rollback or an older build); they stay applied', {
        request_id: requestId,
        unknown_migrations: report.unknown,
      });
    }
    logger.info('migrations applied', {
      request_id: requestId,
      database: database.kind,
      applied: report.applied,
      deploy_id: process.env.DEPLOY_ID,
    });
    return report;
  } catch (error) {
    logger.error('migration failed', { request_id: requestId, error: String(error), stack: (error as Error)?.stack });
    throw error;
  } finally {
    await database.close();
  }
}

export const handler = observed(migrate);
