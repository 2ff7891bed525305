import { exportNotFound } from '../../domain/exports/export-errors.js';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import { success } from '../http/responses.js';
import { BASE_PATH, defineRoute, type Route } from '../http/route.js';
import { jobReadRoutes } from '../jobs/job-read-routes.js';
import { EXPORT_PERMISSIONS } from './export-permissions.js';
import type { ExportService } from './export-service.js';
import type { ExportJob } from './export-store.js';
import { ExportIdParams, ExportListQuery, ExportRepresentation, StartExportBody } from './exports.schemas.js';

export interface ExportRouteServices {
  readonly exports: ExportService;
}

async function exportBody(job: ExportJob, services: ExportRouteServices): Promise<JsonObject> {
  return {
    id: job.id,
    object: job.object,
    format: job.format,
    filter_groups: (job.search.filter_groups as JsonValue[] | undefined) ?? null,
    query: job.search.query ?? null,
    properties: job.search.properties ?? null,
    state: job.state,
    expected_rows: job.expectedRows,
    rows_written: job.rowsWritten,
    download_url: await services.exports.downloadUrl(job),
    error: job.error,
    requested_by: job.requestedBy,
    requested_at: job.requestedAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
  };
}

export const exportRoutes: readonly Route<any, any, any, ExportRouteServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/exports',
    group: 'api-write',
    operationId: 'startExport',
    summary: 'Export the matches of a search as CSV or JSONL (202; follow it at the Location)',
    permission: EXPORT_PERMISSIONS.run,
    body: { schema: StartExportBody, required: true },
    response: { status: 202, data: ExportRepresentation, headers: ['location'] },
    handle: async ({ body, actor }, services: ExportRouteServices) => {
      const job = await services.exports.start({ ...body, requestedBy: actor.id });
      return success(202, await exportBody(job, services), { headers: { location: `${BASE_PATH}/exports/${job.id}` } });
    },
  }),
  ...jobReadRoutes({
    path: '/exports',
    noun: 'Export',
    getSummary: 'An export: its state, expected and written rows, error, and once done the download URL',
    permission: EXPORT_PERMISSIONS.run,
    params: ExportIdParams,
    query: ExportListQuery,
    representation: ExportRepresentation,
    notFoundCode: 'EXPORT.NOT_FOUND',
    notFound: exportNotFound,
    store: (services) => services.exports.store,
    body: exportBody,
  }),
];
