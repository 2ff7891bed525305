import type { JsonObject } from '../../domain/shared/json.js';
import type { Result } from '../../domain/shared/result.js';
import { classifyDatabaseError } from '../db/database-errors.js';
import type { ApiError } from '../http/http-errors.js';
import { success, type HttpResponse } from '../http/responses.js';
import type { ItemWrite, WriteStatus } from './batch-object.js';

/** Services that can run a batch's items in one transaction (all_or_none). */
export interface BatchServices<S> {
  /**
   * Runs `work` on services that deliver the events of every input together when it is done (one
   * acknowledgement per batch); with `transactional`, over one transaction that commits when
   * `work` returns and rolls back when it throws (then nothing is announced).
   */
  inBatch<T>(transactional: boolean, work: (services: S) => Promise<T>): Promise<T>;
}

export type ItemStatus = WriteStatus | 'found' | 'error';

/** One input's outcome, in the response in input order. */
export interface ItemResult {
  readonly index: number;
  readonly status: ItemStatus;
  readonly id: string | null;
  readonly version: number | null;
  readonly record?: JsonObject;
  readonly error?: { readonly code: string; readonly message: string; readonly details?: JsonObject };
}

/**
 * An input made ready to run: the records it aims at (`targets`, normalised unique keys such as
 * `email:ada@example.com`, to find two inputs aimed at one record before anything runs), and the
 * single-record use case that carries it out — or the error that stops it before it runs.
 */
export interface PlannedItem<S, Entity> {
  readonly index: number;
  readonly targets: readonly string[];
  readonly run: ((services: S) => Promise<Result<ItemWrite<Entity>, ApiError>>) | ApiError;
}

const errorOf = (index: number, error: ApiError): ItemResult => ({
  index,
  status: 'error',
  id: null,
  version: null,
  error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) },
});

/**
 * Two inputs aimed at one record would be two writes of it whose order decides the outcome (or a
 * silent double update): each of them is refused, the rest of the batch runs.
 */
function refuseDuplicateTargets<S, Entity>(items: readonly PlannedItem<S, Entity>[]): PlannedItem<S, Entity>[] {
  const claimants = new Map<string, number[]>();
  for (const item of items)
    for (const target of new Set(item.targets)) claimants.set(target, [...(claimants.get(target) ?? []), item.index]);
  return items.map((item) => {
    const shared = item.targets.map((target) => ({ target, indexes: claimants.get(target)! })).find(({ indexes }) => indexes.length > 1);
    if (!shared) return item;
    return {
      ...item,
      run: {
        code: 'BATCH.DUPLICATE_TARGET',
        message: `Inputs ${shared.indexes.join(', ')} all aim at the record with ${shared.target.replace(':', ' ')}; send each record once per batch.`,
        details: { target: shared.target, indexes: shared.indexes },
      },
    };
  });
}

/** Whole-batch counts, by status. */
export function countsOf(results: readonly ItemResult[]): Record<ItemStatus | 'total', number> {
  const counts = { total: results.length, created: 0, updated: 0, unchanged: 0, archived: 0, found: 0, error: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

/** 200 when every input succeeded, 207 (multi-status) when at least one failed; results in input order. */
export function batchResponse(results: readonly ItemResult[]): HttpResponse {
  const ordered = [...results].sort((a, b) => a.index - b.index);
  const counts = countsOf(ordered);
  return success(counts.error === 0 ? 200 : 207, { results: ordered, counts } as unknown as JsonObject);
}

/** The whole all-or-none batch, refused: raised inside the transaction to roll it back. */
class RolledBack extends Error {
  constructor(readonly results: readonly ItemResult[]) {
    super('batch rolled back');
  }
}

/**
 * Runs the planned inputs one by one through their single-record use cases. Inputs run in the
 * order of the records they aim at (not input order), so that two batches touching the same
 * records lock them in the same order and cannot deadlock each other. With `allOrNone` they run
 * in one transaction, and any failed input rolls back all of them: 422 BATCH.FAILED with every
 * input refused before running and the first that failed (a failed statement ends the
 * transaction, so the inputs after it are listed as not run).
 */
export async function runBatch<S extends BatchServices<any>, Entity>(
  services: S,
  planned: readonly PlannedItem<S, Entity>[],
  options: {
    readonly allOrNone: boolean;
    readonly identity: (entity: Entity) => { readonly id: string; readonly version: number };
    readonly render: (entity: Entity, services: S) => JsonObject;
  },
): Promise<HttpResponse | ApiError> {
  const items = refuseDuplicateTargets(planned);
  const order = [...items].sort((a, b) => {
    const [left, right] = [a.targets[0] ?? '', b.targets[0] ?? ''];
    return left < right ? -1 : left > right ? 1 : a.index - b.index;
  });

  // Inputs refused before anything runs (a duplicate target, an invalid key, a forbidden field).
  const refused = items.filter((item) => typeof item.run !== 'function').map((item) => errorOf(item.index, item.run as ApiError));

  const execute = async (on: S, atomic: boolean): Promise<ItemResult[]> => {
    const results: ItemResult[] = [...refused];
    for (const item of order) {
      if (typeof item.run !== 'function') continue;
      // In a transaction a failed statement aborts it, so nothing after the first failed input can run.
      if (atomic && results.some((result) => result.status === 'error')) break;
      try {
        const outcome = await item.run(on);
        results.push(
          outcome.ok
            ? {
                index: item.index,
                status: outcome.value.status,
                ...options.identity(outcome.value.entity),
                record: options.render(outcome.value.entity, on),
              }
            : errorOf(item.index, outcome.error),
        );
      } catch (error) {
        // Without a transaction the inputs before this one are committed: a database that stops
        // answering fails this input (and those after it), and the answer still reports what was applied.
        const failure = classifyDatabaseError(error)?.kind;
        if (atomic || (failure !== 'unavailable' && failure !== 'serialization_failure')) throw error;
        results.push(
          errorOf(item.index, { code: 'SERVICE_UNAVAILABLE', message: 'The database did not answer for this input; retry it.' }),
        );
      }
    }
    return results;
  };

  if (!options.allOrNone) return batchResponse(await services.inBatch(false, (batch: S) => execute(batch, false)));
  try {
    // A batch that is refused before it runs does not open a transaction.
    if (refused.length > 0) throw new RolledBack(refused);
    return batchResponse(
      await services.inBatch(true, async (transactional: S) => {
        const results = await execute(transactional, true);
        if (results.some((result) => result.status === 'error')) throw new RolledBack(results);
        return results;
      }),
    );
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
    const failed = [...error.results].filter((result) => result.status === 'error').sort((a, b) => a.index - b.index);
    const tried = new Set(error.results.map((result) => result.index));
    const notRun = items.map((item) => item.index).filter((index) => !tried.has(index));
    return {
      code: 'BATCH.FAILED',
      message: `${failed.length} of ${items.length} inputs failed, so none was applied (all_or_none=true)${notRun.length > 0 ? `; ${notRun.length} were not tried after the first failure` : ''}. Fix them and send the batch again.`,
      details: {
        errors: failed.map(({ index, error: itemError }) => ({ index, ...itemError })) as unknown as JsonObject[],
        not_run: notRun,
      },
    };
  }
}
