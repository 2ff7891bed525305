import type { Kysely } from 'kysely';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inProcessJobLauncher, unlaunchableJobs, type JobLauncher } from '../jobs/job-launcher.js';
import type { ExportOutcome, ExportRunnerDeps } from './export-runner.js';
import { localExportStorage, type ExportStorage } from './export-storage.js';
import { createExportStore, type ExportJob, type NewExport } from './export-store.js';

/** Records per page of the walk: well under the Data API's 1 MB result limit for any representation. */
export const DEFAULT_EXPORT_PAGE_SIZE = 200;

export interface ExportServiceOptions {
  readonly now: () => Date;
  readonly newId: () => string;
  /** Where files go: the S3 bucket on AWS, DATA_DIR/exports locally; a folder under the system's temp dir when absent (tests). */
  readonly storage?: ExportStorage | undefined;
  /** Where a queued export is worked on: the export Lambda on AWS; in this process when absent and a `runner` is given. */
  readonly launcher?: JobLauncher | undefined;
  /**
   * The walk (`runExport`), for a process that works exports itself: the export function, the
   * local server, tests. Injected rather than imported, so that the API functions, which only queue
   * exports, do not carry the walk and its CSV writer in their bundles (issue 17).
   */
  readonly runner?: ((deps: ExportRunnerDeps, id: string) => Promise<ExportOutcome>) | undefined;
  readonly onError?: (exportId: string, error: unknown) => void;
  readonly pageSize?: number | undefined;
  readonly representWith: () => unknown;
}

/** Exports: queue one, work it (here or in the export Lambda), read where it stands and where the file is. */
export function createExportService(db: Kysely<any>, options: ExportServiceOptions) {
  const store = createExportStore(db);
  const storage =
    options.storage ??
    localExportStorage({ dir: join(tmpdir(), 'customer-mgmt-exports'), downloadUrl: 'http://localhost/local/exports/download' });
  const runner = options.runner;
  const run = (id: string): Promise<ExportOutcome> => {
    if (!runner) return Promise.reject(new Error('exports are not worked on in this function'));
    return runner(
      {
        db,
        store,
        storage,
        now: options.now,
        pageSize: options.pageSize ?? DEFAULT_EXPORT_PAGE_SIZE,
        representWith: options.representWith,
      },
      id,
    );
  };
  const local = options.launcher || !runner ? undefined : inProcessJobLauncher(run, options.onError ?? (() => undefined));
  const launcher = options.launcher ?? local ?? unlaunchableJobs('exports');

  return {
    store,
    storage,
    run,
    /** Queues an export and hands it to the launcher; if the hand-over fails the export is failed (and says why). */
    async start(request: Omit<NewExport, 'id'>): Promise<ExportJob> {
      const job = await store.create({ ...request, id: options.newId() }, options.now());
      try {
        await launcher.launch(job.id);
      } catch (error) {
        await store.fail(
          job.id,
          `the export could not be started: ${error instanceof Error ? error.message : String(error)}`,
          options.now(),
        );
        return (await store.get(job.id))!;
      }
      return job;
    },
    /** The file's download URL once the export has succeeded (signed, valid for an hour), else null. */
    async downloadUrl(job: ExportJob): Promise<string | null> {
      return job.state === 'succeeded' && job.fileKey ? storage.downloadUrl(job.fileKey, options.now()) : null;
    },
    /** Waits for every export started in this process (tests, shutdown). */
    idle: () => local?.idle() ?? Promise.resolve(),
  };
}

export type ExportService = ReturnType<typeof createExportService>;
