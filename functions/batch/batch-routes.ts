import * as z from 'zod';
import type { ApiError } from '../http/http-errors.js';
import { single } from '../http/query-parameters.js';
import { builtOnFirstUse } from '../http/built-on-first-use.js';
import { defineRoute, type Route } from '../http/route.js';
import { runSearch } from '../search/search-route.js';
import { searchRequestSchema } from '../search/search-request.js';
import type { SearchServices } from '../search/search-route.js';
import type { BatchCaller, BatchObject } from './batch-object.js';
import { batchPlanner } from './batch-plans.js';
import { batchResponse, runBatch, type BatchServices, type ItemResult, type PlannedItem } from './batch-runner.js';

/** 1–100 inputs per batch, and a body of at most 1 MiB (other routes keep 64 KiB). */
export const BATCH_LIMITS = { inputs: 100, bodyBytes: 1024 * 1024 } as const;

const uuid = z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' });
export const ifMatch = z
  .int({ error: 'must be the version the caller last saw, a whole number' })
  .min(1, 'must be at least 1')
  .max(2_147_483_647, 'is not a version')
  .optional()
  .describe('the version the caller last saw: the input fails with the VERSION_MISMATCH of its object otherwise');
export const inputs = <T extends z.ZodType>(item: T) =>
  z
    .array(item, { error: 'must be an array of inputs' })
    .min(1, 'give at least one input')
    .max(BATCH_LIMITS.inputs, `give at most ${BATCH_LIMITS.inputs} inputs per batch`);
export const BatchQuery = z.strictObject({
  all_or_none: single(z.enum(['true', 'false'], { error: 'must be true or false' }))
    .transform((value) => value === 'true')
    .optional()
    .describe('run the batch in one transaction: any failed input fails it whole (422 BATCH.FAILED) and nothing is applied'),
});

const ITEM_STATUSES = ['created', 'updated', 'unchanged', 'archived', 'found', 'error'] as const;

/** The answer of every batch route: one result per input, in input order, and the counts. */
export function batchRepresentation(object: Pick<BatchObject<any, any, any, any>, 'search' | 'representation'>) {
  const name = object.search.name;
  return z
    .strictObject({
      results: z.array(
        z.strictObject({
          index: z.int().min(0),
          status: z.enum(ITEM_STATUSES),
          id: z.uuid().nullable(),
          version: z.int().min(1).nullable(),
          record: object.representation.optional(),
          error: z.strictObject({ code: z.string(), message: z.string(), details: z.looseObject({}).optional() }).optional(),
        }),
      ),
      counts: z.strictObject(Object.fromEntries(['total', ...ITEM_STATUSES].map((status) => [status, z.int().min(0)]))),
    })
    .meta({ title: `${name[0]!.toUpperCase()}${name.slice(1)}BatchResult` });
}

type Services<S> = S & BatchServices<any> & SearchServices;

/** A required body whose schema is built on first use. */
function lazyBody<T extends z.ZodType>(build: () => T): { readonly schema: T; readonly required: true } {
  const schema = builtOnFirstUse(build);
  return {
    get schema() {
      return schema();
    },
    required: true,
  };
}

/**
 * The five batch routes of one object: `POST /{object}/batch/create|update|upsert|read|archive`.
 * Each input runs through the object's single-record use case (same validation, rules, unique
 * checks, scope and event), so a batch is exactly the single routes applied in a row.
 */
export function batchRoutes<S, Entity, Create, Update>(
  object: BatchObject<Services<S>, Entity, Create, Update>,
): Route<undefined, any, any, Services<S>>[] {
  const name = object.search.name;
  const title = `${name[0]!.toUpperCase()}${name.slice(1)}`;
  // Every schema below is built on its route's first request (or for the OpenAPI document), not at
  // import: a function builds only those of the batch routes it serves (see builtOnFirstUse).
  const data = builtOnFirstUse(() => batchRepresentation(object));
  const response = {
    status: 200,
    get data() {
      return data();
    },
    alternative: {
      status: 207,
      description: 'At least one input failed: its result has status error and the error; the others were applied.',
    },
  } as const;
  const errors = [...object.errors, 'BATCH.FAILED'] as const;
  const run = {
    identity: (entity: Entity) => object.identity(entity),
    render: (entity: Entity, on: Services<S>) => object.body(entity, on),
  };
  const callerOf = (request: BatchCaller): BatchCaller => ({ actor: request.actor, scope: request.scope });
  const [defaultKey] = object.upsertKeys.filter((key) => key !== 'id');

  const plan = batchPlanner(object);

  const invalidKey = (index: number, key: string, message: string): ApiError => ({
    code: 'VALIDATION_FAILED',
    message: `The request is invalid. inputs[${index}].${key}: ${message}`,
    details: { fields: [{ field: `inputs[${index}].${key}`, message }] },
  });

  const createRoute = defineRoute({
    method: 'POST',
    path: `/${name}/batch/create`,
    group: 'api-write',
    operationId: `batchCreate${title}`,
    summary: `Create 1-${BATCH_LIMITS.inputs} ${name}, each as POST /${name} would`,
    permission: object.permissions.create,
    query: BatchQuery,
    body: lazyBody(() => z.strictObject({ inputs: inputs(object.createItem) })),
    maxBodyBytes: BATCH_LIMITS.bodyBytes,
    response,
    errors,
    handle: async (request, services: Services<S>) => {
      const caller = callerOf(request);
      const planned = (request.body.inputs as Record<string, unknown>[]).map((input, index): PlannedItem<Services<S>, Entity> =>
        plan.create(index, input, plan.keysOf(input), caller),
      );
      return runBatch(services, planned, { allOrNone: request.query.all_or_none ?? false, ...run });
    },
  });

  const updateRoute = defineRoute({
    method: 'POST',
    path: `/${name}/batch/update`,
    group: 'api-write',
    operationId: `batchUpdate${title}`,
    summary: `Update 1-${BATCH_LIMITS.inputs} ${name} by id, each as PUT /${name}/{id} would (optional if_match per input)`,
    permission: object.permissions.update,
    query: BatchQuery,
    body: lazyBody(() => z.strictObject({ inputs: inputs(object.updateItem.extend({ id: uuid, if_match: ifMatch })) })),
    maxBodyBytes: BATCH_LIMITS.bodyBytes,
    response,
    errors,
    handle: async (request, services: Services<S>) => {
      const caller = callerOf(request);
      const planned = (request.body.inputs as ({ id: string; if_match?: number } & Record<string, unknown>)[]).map(
        ({ id, if_match, ...fields }, index): PlannedItem<Services<S>, Entity> => plan.update(index, id, fields, if_match, caller),
      );
      return runBatch(services, planned, { allOrNone: request.query.all_or_none ?? false, ...run });
    },
  });

  const upsertRoute = defineRoute({
    method: 'POST',
    path: `/${name}/batch/upsert`,
    group: 'api-write',
    operationId: `batchUpsert${title}`,
    summary: `Create or update 1-${BATCH_LIMITS.inputs} ${name}, matched on ${object.upsertKeys.join(', ')} (match_on)`,
    permission: object.permissions.update,
    query: BatchQuery,
    body: lazyBody(() =>
      z.strictObject({
        match_on: z
          .enum(object.upsertKeys, { error: `must be one of ${object.upsertKeys.join(', ')}` })
          .default((defaultKey ?? 'id') as never)
          .describe(
            `the unique key that finds the record to update (default ${defaultKey ?? 'id'}); without a match the input creates one`,
          ),
        inputs: inputs(object.upsertItem.extend({ id: uuid.optional(), if_match: ifMatch })),
      }),
    ),
    maxBodyBytes: BATCH_LIMITS.bodyBytes,
    response,
    errors,
    handle: async (request, services: Services<S>) => {
      const caller = callerOf(request);
      const key: string = request.body.match_on;
      const planned = (request.body.inputs as Record<string, unknown>[]).map((input, index): PlannedItem<Services<S>, Entity> =>
        plan.upsert(index, key, input, caller, { createMissing: true, invalid: (message) => invalidKey(index, key, message) }),
      );
      return runBatch(services, planned, { allOrNone: request.query.all_or_none ?? false, ...run });
    },
  });

  const searchSchema = builtOnFirstUse(() => searchRequestSchema(object.search));
  const readRoute = defineRoute({
    method: 'POST',
    path: `/${name}/batch/read`,
    group: 'api-read',
    operationId: `batchRead${title}`,
    summary: `Read 1-${BATCH_LIMITS.inputs} ${name} by id in one statement (a read: no Idempotency-Key)`,
    permission: object.permissions.read,
    body: lazyBody(() => z.strictObject({ inputs: inputs(z.strictObject({ id: uuid })) })),
    maxBodyBytes: BATCH_LIMITS.bodyBytes,
    response,
    errors,
    handle: async (request, services: Services<S>) => {
      const ids = (request.body.inputs as { id: string }[]).map(({ id }) => id.toLowerCase());
      const search = searchSchema().parse({
        filter_groups: [{ filters: [{ property: 'id', operator: 'in', values: [...new Set(ids)] }] }],
        limit: BATCH_LIMITS.inputs,
      });
      const page = await runSearch(services.db, object.search, search, request.scope);
      const records = new Map(object.search.represent(page.rows, services).map((record) => [String(record['id']), record]));
      const results = ids.map((id, index): ItemResult => {
        const record = records.get(id);
        if (!record) {
          const missing = object.notFound(id);
          return { index, status: 'error', id: null, version: null, error: { code: missing.code, message: missing.message } };
        }
        return { index, status: 'found', id, version: Number(record['version']), record };
      });
      return batchResponse(results);
    },
  });

  const archiveRoute = defineRoute({
    method: 'POST',
    path: `/${name}/batch/archive`,
    group: 'api-write',
    operationId: `batchArchive${title}`,
    summary: `Soft-delete 1-${BATCH_LIMITS.inputs} ${name} by id, each as DELETE /${name}/{id} would`,
    permission: object.permissions.archive,
    query: BatchQuery,
    body: lazyBody(() => z.strictObject({ inputs: inputs(z.strictObject({ id: uuid, if_match: ifMatch })) })),
    maxBodyBytes: BATCH_LIMITS.bodyBytes,
    response,
    errors,
    handle: async (request, services: Services<S>) => {
      const caller = callerOf(request);
      const planned = (request.body.inputs as { id: string; if_match?: number }[]).map(
        ({ id, if_match }, index): PlannedItem<Services<S>, Entity> => ({
          index,
          targets: [`id:${id.toLowerCase()}`],
          run: (on) => object.archive(on, id, if_match, caller),
        }),
      );
      return runBatch(services, planned, { allOrNone: request.query.all_or_none ?? false, ...run });
    },
  });

  return [createRoute, updateRoute, upsertRoute, readRoute, archiveRoute] as Route<undefined, any, any, Services<S>>[];
}
