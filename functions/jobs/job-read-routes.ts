import * as z from 'zod';
import type { JsonObject } from '../../domain/shared/json.js';
import type { Permission } from '../auth/permissions.js';
import type { ApiError, ErrorCode } from '../http/http-errors.js';
import { pageResponse, success } from '../http/responses.js';
import { defineRoute, type Route } from '../http/route.js';

/** Where a kind of queued job (an export, an import) is kept: by id, and newest first by keyset. */
export interface JobReadStore<Job> {
  get(id: string): Promise<Job | null>;
  list(limit: number, before: string | undefined): Promise<{ items: Job[]; hasMore: boolean }>;
}

/** What the read routes of one kind of job declare; everything else about them is the same for every kind. */
export interface JobReadRoutesSpec<Job extends { readonly id: string }, S> {
  /** The collection's path (`/exports`): the job is at `{path}/{id}`. */
  readonly path: string;
  /** The kind, singular and capitalised (`Export`): the operations are `get{noun}` and `list{noun}s`. */
  readonly noun: string;
  readonly getSummary: string;
  readonly permission: Permission;
  readonly params: z.ZodType<{ id: string }>;
  readonly query: z.ZodType<{ limit: number; after?: string | undefined }>;
  readonly representation: z.ZodType;
  readonly notFoundCode: ErrorCode;
  readonly notFound: (id: string) => ApiError;
  readonly store: (services: S) => JobReadStore<Job>;
  /** The job as the API shows it (download or upload links are signed per request). */
  readonly body: (job: Job, services: S) => Promise<JsonObject>;
}

/** `GET {path}/{id}` (the job, or its NOT_FOUND) and `GET {path}` (newest first, keyset cursor). */
export function jobReadRoutes<Job extends { readonly id: string }, S>(spec: JobReadRoutesSpec<Job, S>): Route<any, any, any, S>[] {
  return [
    defineRoute({
      method: 'GET',
      path: `${spec.path}/{id}`,
      group: 'api-read',
      operationId: `get${spec.noun}`,
      summary: spec.getSummary,
      permission: spec.permission,
      params: spec.params,
      response: { status: 200, data: spec.representation },
      errors: [spec.notFoundCode],
      handle: async ({ params }, services: S) => {
        const job = await spec.store(services).get(params.id);
        return job ? success(200, await spec.body(job, services)) : spec.notFound(params.id);
      },
    }),
    defineRoute({
      method: 'GET',
      path: spec.path,
      group: 'api-read',
      operationId: `list${spec.noun}s`,
      summary: `${spec.noun}s, newest first (keyset cursor)`,
      permission: spec.permission,
      query: spec.query,
      response: { status: 200, data: z.array(spec.representation), paginated: true },
      handle: async ({ query }, services: S) => {
        const page = await spec.store(services).list(query.limit, query.after);
        const items = await Promise.all(page.items.map((job) => spec.body(job, services)));
        return pageResponse(page, items, query.limit, (job) => job.id);
      },
    }),
  ];
}
