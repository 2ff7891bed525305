import type { Kysely } from 'kysely';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchServices } from '../batch/batch-runner.js';
import type { Database } from '../db/database.js';
import { localExportStorage, type ExportStorage } from '../exports/export-storage.js';
import type { Actor } from '../http/actor.js';
import { inProcessJobLauncher, unlaunchableJobs, type JobLauncher } from '../jobs/job-launcher.js';
import type { ImportOutcome, ImportRunnerDeps } from './import-runner.js';
import { createImportStore, type ImportJob, type ImportRequest } from './import-store.js';
import { importKey, localImportUploads, type ImportUploads, type UploadTarget } from './import-uploads.js';

/** Rows per chunk: a batch's worth (functions/batch), one transaction each. */
export const DEFAULT_IMPORT_CHUNK_SIZE = 100;

export interface ImportServiceOptions {
  readonly now: () => Date;
  readonly newId: () => string;
  /** The services rows are written through (their batch path and database). */
  readonly services: () => BatchServices<any> & { readonly db: Kysely<Database> };
  /** Where files are uploaded: the import bucket on AWS, DATA_DIR/imports locally; a temp folder when absent (tests). */
  readonly uploads?: ImportUploads | undefined;
  /** Where error reports go: the export storage. */
  readonly reports?: ExportStorage | undefined;
  /** Where an uploaded import is worked on locally (in this process when absent and a `runner` is given); on AWS the upload itself starts the import function. */
  readonly launcher?: JobLauncher | undefined;
  /**
   * The import's work (`runImport`), for a process that works imports itself: the import function,
   * the local server, tests. Injected, so that the API functions (on AWS the upload starts the
   * import function) do not carry it and its CSV parser in their bundles (issue 17).
   */
  readonly runner?: ((deps: ImportRunnerDeps, id: string) => Promise<ImportOutcome>) | undefined;
  readonly onError?: ((importId: string, error: unknown) => void) | undefined;
  readonly onChunk?: ((importId: string, processed: number, total: number) => void | Promise<void>) | undefined;
  readonly chunkSize?: number | undefined;
}

/** Imports: queue one with its upload URL, take the upload, work it, read where it stands, cancel it. */
export function createImportService(db: Kysely<Database>, options: ImportServiceOptions) {
  const store = createImportStore(db);
  const uploads =
    options.uploads ??
    localImportUploads({ dir: join(tmpdir(), 'customer-mgmt-imports'), uploadUrl: 'http://localhost/local/imports/upload' });
  const reports =
    options.reports ??
    localExportStorage({ dir: join(tmpdir(), 'customer-mgmt-exports'), downloadUrl: 'http://localhost/local/exports/download' });
  // Set on shutdown: imports running here stop at their next chunk boundary (and resume on the next start).
  let pausing = false;
  const runner = options.runner;
  const run = (id: string, shouldPause: () => boolean = () => pausing): Promise<ImportOutcome> => {
    if (!runner) return Promise.reject(new Error('imports are not worked on in this function'));
    return runner(
      {
        services: options.services(),
        store,
        uploads,
        reports,
        now: options.now,
        chunkSize: options.chunkSize ?? DEFAULT_IMPORT_CHUNK_SIZE,
        onChunk: options.onChunk,
        shouldPause,
      },
      id,
    );
  };
  const local = options.launcher || !runner ? undefined : inProcessJobLauncher((id) => run(id), options.onError ?? (() => undefined));
  const launcher = options.launcher ?? local ?? unlaunchableJobs('imports');

  return {
    store,
    uploads,
    run,
    /** Queues an import; the file is then PUT to its upload URL. */
    async start(request: ImportRequest, actor: Actor): Promise<ImportJob> {
      const id = options.newId();
      return store.create({ ...request, id, requestedBy: actor.id, claims: actor.claims, fileKey: importKey(id) }, options.now());
    },
    /** Where to PUT the file, while the import waits for it (a fresh URL each time); null once uploaded. */
    async uploadTarget(job: ImportJob): Promise<UploadTarget | null> {
      return job.status === 'queued' && job.uploadedAt === null ? uploads.uploadUrl(job.fileKey, options.now()) : null;
    },
    /** The file of import `id` has arrived: it is worked on (here, or by the launcher). Null when it was not awaited. */
    async received(id: string): Promise<ImportJob | null> {
      const job = await store.uploaded(id, options.now());
      if (!job) return null;
      try {
        await launcher.launch(id);
      } catch (error) {
        await store.fail(id, `the import could not be started: ${error instanceof Error ? error.message : String(error)}`, options.now());
      }
      return job;
    },
    /** The error report's download URL once the import is done with failed rows (signed, valid for an hour), else null. */
    async reportUrl(job: ImportJob): Promise<string | null> {
      return job.reportKey ? reports.downloadUrl(job.reportKey, options.now()) : null;
    },
    cancel: (id: string) => store.cancel(id, options.now()),
    /** Hands every uploaded import that has not ended (its runner stopped or died) to the launcher again: it resumes after its last chunk. */
    async resumeUnfinished(): Promise<number> {
      const ids = await store.unfinished();
      for (const id of ids) await launcher.launch(id);
      return ids.length;
    },
    /** Stops the imports running in this process at their next chunk boundary (shutdown); `idle()` then waits for that. */
    pause(): void {
      pausing = true;
    },
    /** Waits for every import started in this process (tests, shutdown). */
    idle: () => local?.idle() ?? Promise.resolve(),
  };
}

export type ImportService = ReturnType<typeof createImportService>;
