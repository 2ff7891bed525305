import { sql, type Kysely } from 'kysely';
import { duplicateInFile } from '../../domain/imports/import-errors.js';
import { decideAccess } from '../auth/access.js';
import type { BatchCaller, ItemWrite } from '../batch/batch-object.js';
import { batchPlanner } from '../batch/batch-plans.js';
import type { BatchServices, PlannedItem } from '../batch/batch-runner.js';
import type { Database } from '../db/database.js';
import type { ExportStorage } from '../exports/export-storage.js';
import type { ApiError } from '../http/http-errors.js';
import { csvRecords, IMPORT_LIMITS, ImportFileError, type CsvCells } from './import-file.js';
import { IMPORT_OBJECTS, rowSchema } from './import-objects.js';
import { importErrorReport, importReportKey } from './import-report.js';
import { rowMapper, type RowMapper, type RowProblem } from './import-rows.js';
import type { ChunkOutcome, ImportJob, ImportStore, StoredRowError } from './import-store.js';
import type { ImportUploads } from './import-uploads.js';

type AnyServices = BatchServices<any> & { readonly db: Kysely<Database> };

export interface ImportRunnerDeps {
  readonly services: AnyServices;
  readonly store: ImportStore;
  readonly uploads: ImportUploads;
  /** Where the error report goes: the export storage (its download works like an export's). */
  readonly reports: ExportStorage;
  readonly now: () => Date;
  /** Rows per chunk: one transaction each, with the chunk's progress. */
  readonly chunkSize: number;
  /** Told after each chunk has committed (logs, the CLI's server-side view, tests). */
  readonly onChunk?: ((importId: string, processed: number, total: number) => void | Promise<void>) | undefined;
  /** Asked between chunks: true stops the run at that chunk boundary ('paused': a Lambda about to time out relaunches it). */
  readonly shouldPause?: (() => boolean) | undefined;
}

export type ImportOutcome = 'done' | 'failed' | 'cancelled' | 'paused' | 'skipped';

/** The chunk's counts could not be recorded: the import was cancelled, or another runner recorded this chunk first. */
class Fenced extends Error {}
/** A row failed on the fast path: the chunk is rolled back and run again with a savepoint around each row. */
class NeedsSavepoints extends Error {}
/** A dry run's chunk: everything ran, and is rolled back. */
class DryRun extends Error {
  constructor(readonly results: readonly RowResult[]) {
    super('dry run');
  }
}

interface FileRow {
  readonly row: number;
  readonly cells: CsvCells;
}

type RowResult =
  { readonly row: number; readonly status: ItemWrite<unknown>['status'] } | { readonly row: number; readonly error: ApiError };

/** A row error's problems: one per field of a validation failure, else one, on the column of its field if it names one. */
function problemsOf(error: ApiError, mapper: RowMapper): RowProblem[] {
  const details = (error.details ?? {}) as { fields?: { field?: unknown; message?: unknown }[]; field?: unknown };
  if (error.code === 'VALIDATION_FAILED' && Array.isArray(details.fields) && details.fields.length > 0) {
    return details.fields.map((field) => {
      const property = String(field.field ?? '').replace(/^inputs\[\d+\]\./, '');
      return { column: mapper.columnOf(property.split(/[.[]/)[0]!), code: error.code, message: `${property}: ${String(field.message)}` };
    });
  }
  return [{ column: typeof details.field === 'string' ? mapper.columnOf(details.field) : null, code: error.code, message: error.message }];
}

/**
 * Works one uploaded import. First a check pass streams the whole file (header, CSV syntax,
 * encoding, limits) and counts its rows, so a file that cannot be imported fails before any row
 * is written. Then the write pass streams it again in chunks: each row is mapped and validated
 * with the API's schema, planned as the batch input it stands for (same use case, rules,
 * permissions of the import's creator, events), and the chunk runs in ONE transaction with the
 * chunk's progress (counts, row errors, claimed keys). A runner that dies loses only its open
 * chunk; run again, the import skips the rows recorded and goes on from that chunk boundary, so
 * no row is written twice. A dry run does all of it and rolls every chunk back, recording only
 * the progress.
 */
export async function runImport(deps: ImportRunnerDeps, id: string): Promise<ImportOutcome> {
  const started = await deps.store.begin(id, deps.now());
  if (!started) return 'skipped';
  const settle = async (): Promise<ImportOutcome> => {
    const now = await deps.store.get(id);
    return now?.status === 'cancelled' ? 'cancelled' : 'skipped';
  };
  try {
    const object = IMPORT_OBJECTS[started.object];
    const schema = rowSchema(object, started.mode, started.matchOn);
    const required = started.mode === 'create' ? null : started.matchOn;
    const records = async () => csvRecords(await deps.uploads.open(started.fileKey), started.options);

    let job = started;
    if (job.counts.rows === null) {
      let header: CsvCells | undefined;
      let rows = 0;
      for await (const cells of await records()) {
        if (header === undefined) {
          header = cells;
          rowMapper(header, schema, job.columnMappings, required);
          continue;
        }
        if (++rows > IMPORT_LIMITS.rows) {
          throw new ImportFileError(
            `the file has more than ${IMPORT_LIMITS.rows.toLocaleString('en-GB')} rows; split it and import the parts`,
          );
        }
      }
      if (header === undefined) throw new ImportFileError('the file is empty: a header row naming the columns is required');
      if (
        !(await deps.store.checked(
          id,
          header.map((cell) => (cell ?? '').trim()),
          rows,
        ))
      )
        return settle();
      job = (await deps.store.get(id))!;
    }

    const actor = { id: job.requestedBy, claims: job.claims };
    const access = decideAccess(actor, object.permissions.update);
    if (!access.allowed) throw new Error(`the roles of ${job.requestedBy} no longer allow ${object.permissions.update.name}`);
    const caller: BatchCaller = { actor, scope: access.scope };
    const plan = batchPlanner(object);

    let mapper: RowMapper | undefined;
    let processed = job.counts.processed;
    let chunk: FileRow[] = [];
    let row = 0;
    const flush = async (): Promise<boolean> => {
      if (chunk.length === 0) return true;
      const outcome = await runChunk(deps, job, chunk, processed, { mapper: mapper!, plan, caller });
      if (!outcome) return false;
      processed += chunk.length;
      chunk = [];
      await deps.onChunk?.(id, processed, job.counts.rows!);
      return true;
    };
    for await (const cells of await records()) {
      if (mapper === undefined) {
        mapper = rowMapper(cells, schema, job.columnMappings, required);
        continue;
      }
      row += 1;
      if (row <= processed) continue;
      chunk.push({ row, cells });
      if (chunk.length < deps.chunkSize) continue;
      if (!(await flush())) return settle();
      if (deps.shouldPause?.()) return 'paused';
    }
    if (!(await flush())) return settle();

    const finished = (await deps.store.get(id))!;
    let reportKey: string | null = null;
    if (finished.counts.failed > 0) {
      reportKey = importReportKey(id);
      await deps.reports.write(reportKey, 'text/csv; charset=utf-8', importErrorReport(deps.store, finished));
    }
    return (await deps.store.finish(id, reportKey, deps.now())) ? 'done' : settle();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await deps.store.fail(id, message, deps.now());
    return 'failed';
  }
}

/**
 * One chunk: rows mapped and planned, duplicates in the file refused (against the keys earlier
 * chunks claimed and earlier rows of this chunk), the rows run through their batch use cases in
 * one transaction together with the chunk's record. A row that fails makes the chunk run again
 * with a savepoint around each row (a failed statement would otherwise abort the transaction),
 * so the chunk costs extra statements only when it has a failing row. False: fenced (cancelled,
 * or recorded by another runner); nothing of the chunk was written.
 */
async function runChunk(
  deps: ImportRunnerDeps,
  job: ImportJob,
  rows: readonly FileRow[],
  processedBefore: number,
  context: { mapper: RowMapper; plan: ReturnType<typeof batchPlanner>; caller: BatchCaller },
): Promise<boolean> {
  const { mapper, plan, caller } = context;
  const problems = new Map<number, RowProblem[]>();
  const planned: { row: FileRow; item: PlannedItem<any, unknown> }[] = [];
  for (const fileRow of rows) {
    const mapped = mapper.map(fileRow.cells);
    if (!mapped.ok) {
      problems.set(fileRow.row, mapped.problems);
      continue;
    }
    const item =
      job.mode === 'create'
        ? plan.create(fileRow.row, mapped.input, plan.keysOf(mapped.input), caller)
        : plan.upsert(fileRow.row, job.matchOn!, mapped.input, caller, {
            createMissing: job.mode === 'upsert',
            invalid: (message) => ({
              code: 'VALIDATION_FAILED',
              message: `${job.matchOn}: ${message}`,
              details: { fields: [{ field: job.matchOn!, message }] },
            }),
          });
    planned.push({ row: fileRow, item });
  }

  // Duplicates in the file: a row aimed at a record an earlier row (of this or an earlier chunk) aimed at.
  const claimed = await deps.store.claimedKeys(deps.services.db, job.id, [...new Set(planned.flatMap(({ item }) => item.targets))]);
  const newKeys: { key: string; row: number }[] = [];
  const duplicates = new Set<number>();
  const runnable = planned.filter(({ row, item }) => {
    const target = item.targets.find((key) => claimed.has(key));
    if (target !== undefined) {
      duplicates.add(row.row);
      problems.set(row.row, problemsOf(duplicateInFile(target, claimed.get(target)!), mapper));
      return false;
    }
    for (const key of new Set(item.targets)) {
      claimed.set(key, row.row);
      newKeys.push({ key, row: row.row });
    }
    return true;
  });

  const runRows = async (on: AnyServices, guarded: boolean): Promise<RowResult[]> => {
    const results: RowResult[] = [];
    for (const { row, item } of runnable) {
      if (typeof item.run !== 'function') {
        results.push({ row: row.row, error: item.run });
        continue;
      }
      if (guarded) await sql`savepoint import_row`.execute(on.db);
      let outcome;
      try {
        outcome = await item.run(on);
      } catch (error) {
        if (!guarded) throw new NeedsSavepoints();
        throw error;
      }
      if (outcome.ok) {
        if (guarded) await sql`release savepoint import_row`.execute(on.db);
        results.push({ row: row.row, status: outcome.value.status });
        continue;
      }
      if (!guarded) throw new NeedsSavepoints();
      await sql`rollback to savepoint import_row`.execute(on.db);
      results.push({ row: row.row, error: outcome.error });
    }
    return results;
  };

  const outcomeOf = (results: readonly RowResult[]): ChunkOutcome => {
    const errors: StoredRowError[] = [];
    const counts = { created: 0, updated: 0, unchanged: 0 };
    for (const result of results) {
      if ('error' in result) problems.set(result.row, problemsOf(result.error, mapper));
      else if (result.status === 'created' || result.status === 'updated' || result.status === 'unchanged') counts[result.status] += 1;
    }
    for (const { row, cells } of rows) {
      (problems.get(row) ?? []).forEach((problem, seq) => errors.push({ row, seq, cells, ...problem }));
    }
    return { rows: rows.length, ...counts, failed: problems.size, duplicates: duplicates.size, errors, keys: newKeys };
  };

  const attempt = async (guarded: boolean): Promise<boolean> => {
    if (job.dryRun) {
      let results: readonly RowResult[];
      try {
        await deps.services.inBatch(true, async (on: AnyServices) => {
          throw new DryRun(await runRows(on, guarded));
        });
        throw new Error('unreachable: a dry run always rolls back');
      } catch (error) {
        if (!(error instanceof DryRun)) throw error;
        results = error.results;
      }
      return deps.services.db
        .transaction()
        .execute(async (trx) => {
          if (!(await deps.store.recordChunk(trx, job.id, processedBefore, outcomeOf(results)))) throw new Fenced();
          return true;
        })
        .catch((error: unknown) => {
          if (error instanceof Fenced) return false;
          throw error;
        });
    }
    try {
      return await deps.services.inBatch(true, async (on: AnyServices) => {
        const results = await runRows(on, guarded);
        if (!(await deps.store.recordChunk(on.db, job.id, processedBefore, outcomeOf(results)))) throw new Fenced();
        return true;
      });
    } catch (error) {
      if (error instanceof Fenced) return false;
      throw error;
    }
  };

  try {
    return await attempt(false);
  } catch (error) {
    if (!(error instanceof NeedsSavepoints)) throw error;
    return attempt(true);
  }
}
