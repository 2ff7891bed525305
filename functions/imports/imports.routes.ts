import * as z from 'zod';
import { importNotCancellable, importNotFound } from '../../domain/imports/import-errors.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { success } from '../http/responses.js';
import { BASE_PATH, defineRoute, type Route } from '../http/route.js';
import { jobReadRoutes } from '../jobs/job-read-routes.js';
import { IMPORT_PERMISSIONS } from './import-permissions.js';
import type { ImportService } from './import-service.js';
import type { ImportJob } from './import-store.js';
import {
  ImportErrorRepresentation,
  ImportErrorsQuery,
  ImportIdParams,
  ImportListQuery,
  ImportRepresentation,
  StartImportBody,
} from './imports.schemas.js';

export interface ImportRouteServices {
  readonly imports: ImportService;
}

async function importBody(job: ImportJob, services: ImportRouteServices): Promise<JsonObject> {
  return {
    id: job.id,
    object: job.object,
    mode: job.mode,
    match_on: job.matchOn,
    dry_run: job.dryRun,
    column_mappings: job.columnMappings,
    options: { ...job.options },
    status: job.status,
    upload: ((await services.imports.uploadTarget(job)) as unknown as JsonObject | null) ?? null,
    columns: job.columns ? [...job.columns] : null,
    counts: { ...job.counts },
    error_report_url: await services.imports.reportUrl(job),
    error: job.error,
    requested_by: job.requestedBy,
    requested_at: job.requestedAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
  };
}

export const importRoutes: readonly Route<any, any, any, ImportRouteServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/imports',
    group: 'api-write',
    operationId: 'startImport',
    summary:
      'Import a CSV file of customers, companies, deals or interactions (202 with the URL to PUT the file to; follow it at the Location)',
    permission: IMPORT_PERMISSIONS.run,
    body: { schema: StartImportBody, required: true },
    response: { status: 202, data: ImportRepresentation, headers: ['location'] },
    handle: async ({ body, actor }, services: ImportRouteServices) => {
      const job = await services.imports.start(body, actor);
      return success(202, await importBody(job, services), { headers: { location: `${BASE_PATH}/imports/${job.id}` } });
    },
  }),
  ...jobReadRoutes({
    path: '/imports',
    noun: 'Import',
    getSummary: 'An import: its status and counts, the upload URL while it waits for the file, the error report once done',
    permission: IMPORT_PERMISSIONS.run,
    params: ImportIdParams,
    query: ImportListQuery,
    representation: ImportRepresentation,
    notFoundCode: 'IMPORT.NOT_FOUND',
    notFound: importNotFound,
    store: (services) => services.imports.store,
    body: importBody,
  }),
  defineRoute({
    method: 'GET',
    path: '/imports/{id}/errors',
    group: 'api-read',
    operationId: 'listImportErrors',
    summary: "An import's row errors in file order (row, column, code, message; keyset cursor)",
    permission: IMPORT_PERMISSIONS.run,
    params: ImportIdParams,
    query: ImportErrorsQuery,
    response: { status: 200, data: z.array(ImportErrorRepresentation), paginated: true },
    errors: ['IMPORT.NOT_FOUND'],
    handle: async ({ params, query }, services: ImportRouteServices) => {
      const job = await services.imports.store.get(params.id);
      if (!job) return importNotFound(params.id);
      const page = await services.imports.store.errors(params.id, query.limit + 1, query.after);
      const items = page.slice(0, query.limit);
      const last = items[items.length - 1];
      return success(
        200,
        items.map(({ row, column, code, message }) => ({ row, column, code, message })),
        { pagination: { limit: query.limit, next_cursor: page.length > query.limit && last ? `${last.row}.${last.seq}` : null } },
      );
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/imports/{id}/cancel',
    group: 'api-write',
    operationId: 'cancelImport',
    summary: 'Cancel a queued or running import: it stops at the next chunk; the chunks already recorded stay written',
    permission: IMPORT_PERMISSIONS.run,
    params: ImportIdParams,
    response: { status: 200, data: ImportRepresentation },
    errors: ['IMPORT.NOT_FOUND', 'IMPORT.NOT_CANCELLABLE'],
    handle: async ({ params }, services: ImportRouteServices) => {
      const cancelled = await services.imports.cancel(params.id);
      if (cancelled) return success(200, await importBody(cancelled, services));
      const job = await services.imports.store.get(params.id);
      return job ? importNotCancellable(params.id, job.status) : importNotFound(params.id);
    },
  }),
];
