import type { Kysely } from 'kysely';
import { advanceRun } from './analytics/analytics-runner.js';
import type { Database } from './db/database.js';
import { runExport } from './exports/export-runner.js';
import { runImport } from './imports/import-runner.js';
import type { Services } from './routes.js';
import { wireServices, type JobRunners, type ServiceOptions } from './service-wiring.js';

export type { ServiceOptions } from './service-wiring.js';

/** Every job's work: exports' walk, imports' chunks, analytics' fitting. */
export const JOB_RUNNERS: JobRunners = { exports: runExport, imports: runImport, analytics: advanceRun };

/**
 * The application over a database, able to work its jobs in this process: the local server and
 * tests (a job without a launcher runs here after the request), the export and import functions
 * (which run theirs). The API functions wire the same services without the runners
 * (`wireServices`): on AWS they only queue jobs for the job functions.
 */
export function createServices(database: Kysely<Database>, options: ServiceOptions = {}): Services {
  return wireServices(database, { runners: JOB_RUNNERS, ...options });
}
