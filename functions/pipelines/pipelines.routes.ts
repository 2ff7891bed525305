import type { DomainError } from '../../domain/errors.js';
import type { Pipeline } from '../../domain/pipeline/pipeline.js';
import { toPipelineRecord } from '../../domain/pipeline/pipeline-change.js';
import type { Result } from '../../domain/shared/result.js';
import * as z from 'zod';
import { clientHasCurrent, expectedTagFrom } from '../http/conditional-requests.js';
import type { ApiError } from '../http/http-errors.js';
import { noContent, success, type HttpResponse } from '../http/responses.js';
import { BASE_PATH, defineRoute, type Route, type RouteRequest } from '../http/route.js';
import { PIPELINE_PERMISSIONS } from './pipeline-permissions.js';
import { encodePipelineCursor, ListPipelinesQuery, PipelineBody, PipelineIdParams, PipelineRepresentation } from './pipeline.schemas.js';
import type { PipelineService } from './pipeline-service.js';

export interface PipelineRouteServices {
  readonly pipelines: PipelineService;
}

const etagOf = (pipeline: Pipeline) => `"${pipeline.version}"`;

const pipelineResponse = (statusCode: number, pipeline: Pipeline, headers: Record<string, string> = {}): HttpResponse =>
  success(statusCode, toPipelineRecord(pipeline), { headers: { etag: etagOf(pipeline), ...headers } });

const VERSION_MISMATCH: ApiError = { code: 'PIPELINE.VERSION_MISMATCH', message: 'If-Match names another version of the pipeline.' };

type IdRequest = RouteRequest<{ id: string }, unknown, unknown>;

/** Runs a write on the pipeline named in the path, at the version If-Match names (if any). */
async function write(
  request: IdRequest,
  run: (expectedVersion: number | undefined) => Promise<Result<Pipeline, DomainError>>,
  answer: (pipeline: Pipeline) => HttpResponse,
): Promise<HttpResponse | ApiError> {
  const expected = expectedTagFrom(request.headers, VERSION_MISMATCH);
  if (!expected.ok) return expected.error;
  const outcome = await run(expected.value?.version);
  return outcome.ok ? answer(outcome.value) : outcome.error;
}

export const pipelineRoutes: readonly Route<any, any, any, PipelineRouteServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/pipelines',
    group: 'api-write',
    operationId: 'createPipeline',
    summary: 'Create a pipeline: a name, a default currency, ordered stages and lost reasons',
    permission: PIPELINE_PERMISSIONS.configure,
    body: { schema: PipelineBody, required: true },
    response: { status: 201, data: PipelineRepresentation, headers: ['etag', 'location'] },
    handle: async ({ body, actor }, services: PipelineRouteServices) => {
      const created = await services.pipelines.create(body, actor.id);
      if (!created.ok) return created.error;
      return pipelineResponse(201, created.value, { location: `${BASE_PATH}/pipelines/${created.value.id}` });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pipelines',
    group: 'api-read',
    operationId: 'listPipelines',
    summary: 'List pipelines, oldest first, with cursor pagination',
    permission: PIPELINE_PERMISSIONS.read,
    query: ListPipelinesQuery,
    response: { status: 200, data: z.array(PipelineRepresentation), paginated: true },
    handle: async ({ query }, services: PipelineRouteServices) => {
      const page = await services.pipelines.list({
        limit: query.limit,
        after: query.cursor && { createdAt: query.cursor.k, id: query.cursor.i },
      });
      return success(200, page.pipelines.map(toPipelineRecord), {
        pagination: { limit: query.limit, next_cursor: page.next ? encodePipelineCursor(page.next) : null },
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pipelines/{id}',
    group: 'api-read',
    operationId: 'getPipeline',
    summary: 'Get a pipeline by id',
    permission: PIPELINE_PERMISSIONS.read,
    params: PipelineIdParams,
    response: { status: 200, data: PipelineRepresentation, headers: ['etag'] },
    errors: ['PIPELINE.NOT_FOUND'],
    conditional: 'if-none-match',
    handle: async (request, services: PipelineRouteServices) => {
      const found = await services.pipelines.get(request.params.id);
      if (!found.ok) return found.error;
      const etag = etagOf(found.value);
      return clientHasCurrent(request.headers, etag) ? { statusCode: 304, headers: { etag } } : pipelineResponse(200, found.value);
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/pipelines/{id}',
    group: 'api-write',
    operationId: 'replacePipeline',
    summary: 'Replace the configuration: rename, reorder, relabel, add or remove stages, change probabilities',
    permission: PIPELINE_PERMISSIONS.configure,
    params: PipelineIdParams,
    body: { schema: PipelineBody, required: true },
    response: { status: 200, data: PipelineRepresentation, headers: ['etag'] },
    errors: ['PIPELINE.NOT_FOUND', 'PIPELINE.STAGE_IN_USE', 'PIPELINE.VERSION_MISMATCH'],
    conditional: 'if-match',
    handle: (request, services: PipelineRouteServices) =>
      write(
        request,
        (expected) => services.pipelines.replace(request.params.id, request.body, request.actor.id, expected),
        (pipeline) => pipelineResponse(200, pipeline),
      ),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/pipelines/{id}',
    group: 'api-write',
    operationId: 'deletePipeline',
    summary: 'Delete a pipeline that holds no live deals',
    permission: PIPELINE_PERMISSIONS.configure,
    params: PipelineIdParams,
    response: { status: 204 },
    errors: ['PIPELINE.NOT_FOUND', 'PIPELINE.IN_USE', 'PIPELINE.VERSION_MISMATCH'],
    conditional: 'if-match',
    handle: (request, services: PipelineRouteServices) =>
      write(
        request,
        (expected) => services.pipelines.delete(request.params.id, request.actor.id, expected),
        () => noContent(),
      ),
  }),
];
