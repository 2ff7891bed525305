import * as commands from '../../domain/deal/deal-commands.js';
import type { StageCommand } from '../../domain/deal/deal-stages.js';
import { parseTags } from '../../domain/shared/tags.js';
import { DEFAULT_PIPELINE_ID as DEFAULT_PIPELINE } from '../../domain/pipeline/pipeline.js';
import { validationFailed, type DomainError } from '../../domain/errors.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { onlySelfRefused, type AccessScope } from '../auth/access.js';
import { clientHasCurrent, expectedTagFrom } from '../http/conditional-requests.js';
import type { ApiError } from '../http/http-errors.js';
import { noContent, success, type HttpResponse } from '../http/responses.js';
import { BASE_PATH, defineRoute, type Route, type RouteRequest } from '../http/route.js';
import * as z from 'zod';
import { readVisibility as companyReadVisibility } from '../companies/companies.routes.js';
import type { CompanyService } from '../companies/company-service.js';
import { CompanyIdParams } from '../companies/company.schemas.js';
import { visibilityOf as customerVisibility } from '../customers/customers.routes.js';
import type { CustomerService } from '../customers/customer-service.js';
import { CustomerIdParams } from '../customers/customer.schemas.js';
import { toEventDetail } from '../events/event-envelope.js';
import { DEAL_PERMISSIONS } from './deal-permissions.js';
import { dealBody, dealEtag } from './deal-responses.js';
import type { DealCaller, DealService, PlainDealChange } from './deal-service.js';
import type { StageCommandInput } from './deal-stage-statement.js';
import type { DealWithPipeline } from './deal-repository.js';
import {
  AssignDealBody,
  CompanyDealsQuery,
  CreateDealBody,
  CustomerDealsQuery,
  DealHistoryItemRepresentation,
  DealHistoryQuery,
  DealContactsBody,
  DealIdParams,
  DealRepresentation,
  DealTagsBody,
  encodeDealCursor,
  ListDealsQuery,
  LoseBody,
  StageBody,
  UpdateDealBody,
  WinBody,
} from './deal.schemas.js';

export interface DealRouteServices {
  readonly deals: DealService;
  readonly customers: CustomerService;
  readonly companies: CompanyService;
}

/** Sales reps act on the deals they own, and link only the customers assigned to them. */
export function callerOf(request: { readonly actor: { readonly id: string }; readonly scope: AccessScope }): DealCaller {
  const { scope } = request;
  return scope.kind === 'owner'
    ? { actor: request.actor.id, visibility: { ownerId: scope.ownerId }, customersOf: scope.ownerId }
    : { actor: request.actor.id, visibility: {} };
}

/** A sales rep may give deals only to themselves (that the owner is an active rep, the write checks). */
const ownerRefused = (scope: AccessScope, ownerId: string | null | undefined): ApiError | null =>
  onlySelfRefused(scope, ownerId, { field: 'owner_id', message: 'Sales reps can give deals only to themselves.' });

/**
 * A create body as POST /deals takes it (the batch create and upsert run each input through here):
 * a sales rep's new deal is theirs, so that they can see it afterwards.
 */
export async function createDealFromBody(
  deals: DealService,
  body: z.infer<typeof CreateDealBody>,
  request: { readonly actor: { readonly id: string }; readonly scope: AccessScope },
): Promise<Result<DealWithPipeline, ApiError>> {
  const { scope } = request;
  const ownerId = scope.kind === 'owner' ? (body.owner_id ?? scope.ownerId) : body.owner_id;
  const refused = ownerRefused(scope, ownerId);
  if (refused) return err(refused);
  return deals.create(
    {
      name: body.name,
      pipelineId: body.pipeline_id ?? DEFAULT_PIPELINE,
      stage: body.stage,
      amountMinor: body.amount?.amount_minor,
      currency: body.amount?.currency,
      expectedCloseDate: body.expected_close_date,
      companyId: body.company_id,
      primaryCustomerId: body.primary_customer_id,
      contacts: body.contacts,
      ownerId,
      tags: body.tags,
      source: body.source,
      externalId: body.external_id,
      forecastCategoryOverride: body.forecast_category_override,
    },
    callerOf(request),
  );
}

/** The change of PUT /deals/{id} (and of each input of POST /deals/batch/update). */
export const dealUpdateFromBody = (body: z.infer<typeof UpdateDealBody>) =>
  commands.updateDetails({
    name: body.name,
    amountMinor: body.amount?.amount_minor,
    expectedCloseDate: body.expected_close_date,
    companyId: body.company_id,
    primaryCustomerId: body.primary_customer_id,
    source: body.source,
    externalId: body.external_id,
    forecastCategoryOverride: body.forecast_category_override,
  });

const dealResponse = (services: DealRouteServices, statusCode: number, found: DealWithPipeline, headers: Record<string, string> = {}) => {
  const now = services.deals.now();
  return success(statusCode, dealBody(found.deal, found.pipeline, now), {
    headers: { etag: dealEtag(found.deal, found.pipeline, now), ...headers },
  });
};

const VERSION_MISMATCH: ApiError = { code: 'DEAL.VERSION_MISMATCH', message: 'If-Match names another version of the deal.' };

/** Keys callers often send to PUT /deals/{id}, which it refuses: where each is changed instead. */
const DEAL_FIELD_HINTS: Readonly<Record<string, string>> = {
  stage: 'the stage is changed with POST /deals/{id}/stage, /win, /lose or /reopen',
  status: 'the status follows the stage: use POST /deals/{id}/win, /lose or /reopen',
  owner_id: 'the owner is changed with PUT /deals/{id}/assign',
  tags: 'tags are replaced with PUT /deals/{id}/tags',
  contacts: 'contacts are replaced with PUT /deals/{id}/contacts',
  pipeline_id: 'a deal stays in the pipeline it was created in',
};

/** What any change of an existing deal may answer besides its own rules. */
const CHANGE_ERRORS = ['DEAL.NOT_FOUND', 'DEAL.VERSION_MISMATCH', 'DEAL.BUSY'] as const;

/** What a write of the deal's company or primary customer may answer (docs/deals.md, "Links"). */
const LINK_ERRORS = ['DEAL.UNKNOWN_CUSTOMER', 'DEAL.UNKNOWN_COMPANY', 'DEAL.CUSTOMER_NOT_IN_COMPANY'] as const;

type IdRequest = RouteRequest<{ id: string }, any, unknown>;

/** Runs a stage command on the deal named in the path (one statement decides it: see DealService.stage). */
async function applyStageCommand(
  request: IdRequest,
  services: DealRouteServices,
  command: StageCommand,
  input: StageCommandInput,
): Promise<HttpResponse | ApiError> {
  const expected = expectedTagFrom(request.headers, VERSION_MISMATCH);
  if (!expected.ok) return expected.error;
  const outcome = await services.deals.stage(request.params.id, command, input, callerOf(request), expected.value?.version);
  return outcome.ok ? dealResponse(services, 200, outcome.value) : outcome.error;
}

/**
 * Runs a change that does not depend on the deal's current state on the deal named in the path:
 * the write statement goes first, without reading the deal (see DealService.apply).
 */
async function applyPlain(request: IdRequest, services: DealRouteServices, build: PlainDealChange): Promise<HttpResponse | ApiError> {
  const expected = expectedTagFrom(request.headers, VERSION_MISMATCH);
  if (!expected.ok) return expected.error;
  const outcome = await services.deals.apply(request.params.id, build, callerOf(request), expected.value?.version);
  return outcome.ok ? dealResponse(services, 200, outcome.value) : outcome.error;
}

function stageRoute(command: StageCommand, summary: string, schema: z.ZodObject | undefined) {
  return defineRoute({
    method: 'POST',
    path: `/deals/{id}/${command === 'move' ? 'stage' : command}`,
    group: 'api-write',
    operationId: `${command}Deal`,
    summary,
    permission: DEAL_PERMISSIONS.stage,
    params: DealIdParams,
    ...(schema && { body: { schema, required: command === 'move' || command === 'lose' } }),
    response: { status: 200, data: DealRepresentation, headers: ['etag'] },
    errors: [
      ...CHANGE_ERRORS,
      'DEAL.INVALID_TRANSITION',
      'DEAL.USE_CLOSE_COMMAND',
      'DEAL.UNKNOWN_STAGE',
      'DEAL.UNKNOWN_LOST_REASON',
      // A reopened deal is open again, so its company must still be live.
      ...(command === 'reopen' ? (['DEAL.UNKNOWN_COMPANY'] as const) : []),
    ],
    conditional: 'if-match',
    handle: (request: IdRequest, services: DealRouteServices) => {
      const body: {
        stage?: string;
        closed_at?: string;
        lost_reason?: string;
        lost_note?: string | null;
        competitor?: string | null;
      } = request.body ?? {};
      if (body.closed_at !== undefined && Date.parse(body.closed_at) > Date.parse(services.deals.now())) {
        return Promise.resolve(validationFailed([{ field: 'closed_at', message: 'closed_at cannot be in the future' }]));
      }
      return applyStageCommand(request, services, command, {
        stage: body.stage,
        closedAt: body.closed_at,
        lost: command === 'lose' ? { reason: body.lost_reason ?? '', note: body.lost_note, competitor: body.competitor } : undefined,
      });
    },
  });
}

type DealListParameters = z.infer<typeof ListDealsQuery>;

/** One page of deals for the list routes; `parent` pins the customer or company whose deals these are. */
async function listDeals(
  query: Omit<DealListParameters, 'customer_id' | 'company_id'> & Partial<Pick<DealListParameters, 'customer_id' | 'company_id'>>,
  scope: AccessScope,
  services: DealRouteServices,
  parent: { readonly customerId?: string; readonly companyId?: string },
): Promise<HttpResponse | ApiError | DomainError> {
  const empty = () => success(200, [], { pagination: { limit: query.limit, next_cursor: null } });
  if (scope.kind === 'owner' && query.owner_id !== undefined && query.owner_id !== scope.ownerId) return empty();
  if (query.cursor && query.cursor.s !== query.sort) {
    return validationFailed([{ field: 'cursor', message: `it was issued for sort=${query.cursor.s}; repeat the same sort to continue` }]);
  }
  if ((query.amount_min !== undefined || query.amount_max !== undefined) && query.currency === undefined) {
    return validationFailed([
      { field: 'currency', message: 'amount_min and amount_max compare amounts in one currency: give currency too' },
    ]);
  }
  const tag = query.tag === undefined ? undefined : parseTags([query.tag]);
  if (tag && !tag.ok) return validationFailed([{ field: 'tag', message: tag.error }]);
  const page = await services.deals.list({
    pipelineId: query.pipeline_id,
    stage: query.stage,
    status: query.status,
    ownerId: scope.kind === 'owner' ? scope.ownerId : query.owner_id,
    companyId: parent.companyId ?? query.company_id,
    customerId: parent.customerId ?? query.customer_id,
    closeFrom: query.close_from?.slice(0, 10),
    closeTo: query.close_to?.slice(0, 10),
    currency: query.currency,
    amountMin: query.amount_min,
    amountMax: query.amount_max,
    forecastCategory: query.forecast_category,
    tag: tag?.ok ? tag.value[0] : undefined,
    sort: query.sort,
    limit: query.limit,
    after: query.cursor && { key: query.cursor.k, id: query.cursor.i },
  });
  const now = services.deals.now();
  return success(
    200,
    page.items.map(({ deal, pipeline }) => dealBody(deal, pipeline, now)),
    { pagination: { limit: query.limit, next_cursor: page.next ? encodeDealCursor(query.sort, page.next) : null } },
  );
}

export const dealRoutes: readonly Route<any, any, any, DealRouteServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/deals',
    group: 'api-write',
    operationId: 'createDeal',
    summary: 'Create a deal in an open stage of a pipeline (the default pipeline unless named)',
    permission: DEAL_PERMISSIONS.create,
    fieldPermissions: {
      owner_id: DEAL_PERMISSIONS.assign,
      tags: DEAL_PERMISSIONS.tags,
      contacts: DEAL_PERMISSIONS.contacts,
      stage: DEAL_PERMISSIONS.stage,
    },
    body: { schema: CreateDealBody, required: true, hints: { status: DEAL_FIELD_HINTS.status! } },
    response: { status: 201, data: DealRepresentation, headers: ['etag', 'location'] },
    errors: [
      'DEAL.UNKNOWN_PIPELINE',
      'DEAL.UNKNOWN_STAGE',
      'DEAL.USE_CLOSE_COMMAND',
      ...LINK_ERRORS,
      'DEAL.UNKNOWN_CONTACT',
      'DEAL.EXTERNAL_ID_TAKEN',
    ],
    handle: async (request, services: DealRouteServices) => {
      const created = await createDealFromBody(services.deals, request.body, request);
      if (!created.ok) return created.error;
      return dealResponse(services, 201, created.value, { location: `${BASE_PATH}/deals/${created.value.deal.id}` });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/deals',
    group: 'api-read',
    operationId: 'listDeals',
    summary: 'List deals with filters, sorts and cursor pagination',
    permission: DEAL_PERMISSIONS.read,
    query: ListDealsQuery,
    response: { status: 200, data: z.array(DealRepresentation), paginated: true },
    handle: ({ query, scope }, services: DealRouteServices) => listDeals(query, scope, services, {}),
  }),
  defineRoute({
    method: 'GET',
    path: '/deals/{id}',
    group: 'api-read',
    operationId: 'getDeal',
    summary: 'Get a deal, with its probability, forecast category, weighted amount and days in stage',
    permission: DEAL_PERMISSIONS.read,
    params: DealIdParams,
    response: { status: 200, data: DealRepresentation, headers: ['etag'] },
    errors: ['DEAL.NOT_FOUND'],
    conditional: 'if-none-match',
    handle: async (request, services: DealRouteServices) => {
      const found = await services.deals.get(request.params.id, callerOf(request).visibility);
      if (!found.ok) return found.error;
      const etag = dealEtag(found.value.deal, found.value.pipeline, services.deals.now());
      return clientHasCurrent(request.headers, etag) ? { statusCode: 304, headers: { etag } } : dealResponse(services, 200, found.value);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/deals/{id}/history',
    group: 'api-read',
    operationId: 'getDealHistory',
    summary: "The deal's events, oldest first, each stage it entered with the time it spent there",
    permission: DEAL_PERMISSIONS.read,
    params: DealIdParams,
    query: DealHistoryQuery,
    response: { status: 200, data: z.array(DealHistoryItemRepresentation), paginated: true },
    errors: ['DEAL.NOT_FOUND'],
    handle: async (request, services: DealRouteServices) => {
      const { params, query } = request;
      const history = await services.deals.history(params.id, query, callerOf(request).visibility);
      if (!history.ok) return history.error;
      const page = history.value;
      if (page.kind === 'unknown_after')
        return validationFailed([{ field: 'after', message: `no event ${query.after} belongs to this deal` }]);
      const last = page.items[page.items.length - 1];
      return success(
        200,
        page.items.map(({ event, timeInStage }) => ({ ...toEventDetail(event), time_in_stage: timeInStage })),
        { pagination: { limit: query.limit, next_cursor: page.hasMore && last !== undefined ? last.event.eventId : null } },
      );
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/customers/{id}/deals',
    group: 'api-read',
    operationId: 'listCustomerDeals',
    summary: "The deals a customer is on (as primary customer or contact), with the deal list's filters, sorts and cursor",
    permission: DEAL_PERMISSIONS.read,
    params: CustomerIdParams,
    query: CustomerDealsQuery,
    response: { status: 200, data: z.array(DealRepresentation), paginated: true },
    errors: ['CUSTOMER.NOT_FOUND'],
    handle: async ({ params, query, scope }, services: DealRouteServices) => {
      const customer = await services.customers.get(params.id, customerVisibility(scope));
      if (!customer.ok) return customer.error;
      return listDeals(query, scope, services, { customerId: params.id });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/companies/{id}/deals',
    group: 'api-read',
    operationId: 'listCompanyDeals',
    summary: "The company's deals, with the deal list's filters, sorts and cursor",
    permission: DEAL_PERMISSIONS.read,
    params: CompanyIdParams,
    query: CompanyDealsQuery,
    response: { status: 200, data: z.array(DealRepresentation), paginated: true },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED'],
    handle: async ({ params, query, scope }, services: DealRouteServices) => {
      const company = await services.companies.get(params.id, companyReadVisibility(scope));
      if (!company.ok) return company.error;
      return listDeals(query, scope, services, { companyId: params.id });
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/deals/{id}',
    group: 'api-write',
    operationId: 'updateDeal',
    summary: 'Update name, amount, expected close date, links, source, external id or the forecast category override',
    permission: DEAL_PERMISSIONS.update,
    params: DealIdParams,
    body: { schema: UpdateDealBody, required: true, hints: DEAL_FIELD_HINTS },
    response: { status: 200, data: DealRepresentation, headers: ['etag'] },
    errors: [...CHANGE_ERRORS, ...LINK_ERRORS, 'DEAL.EXTERNAL_ID_TAKEN'],
    conditional: 'if-match',
    handle: (request, services: DealRouteServices) => {
      const change = dealUpdateFromBody(request.body);
      return change.ok ? applyPlain(request, services, () => change) : Promise.resolve(change.error);
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/deals/{id}/assign',
    group: 'api-write',
    operationId: 'assignDeal',
    summary: 'Give the deal to an active sales rep (or none)',
    permission: DEAL_PERMISSIONS.assign,
    params: DealIdParams,
    body: { schema: AssignDealBody, required: true },
    response: { status: 200, data: DealRepresentation, headers: ['etag'] },
    errors: CHANGE_ERRORS,
    conditional: 'if-match',
    handle: async (request, services: DealRouteServices) => {
      const refused = ownerRefused(request.scope, request.body.owner_id);
      if (refused) return refused;
      return applyPlain(request, services, () => ok(commands.assign(request.body.owner_id)));
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/deals/{id}/tags',
    group: 'api-write',
    operationId: 'replaceDealTags',
    summary: 'Replace the tag set',
    permission: DEAL_PERMISSIONS.tags,
    params: DealIdParams,
    body: { schema: DealTagsBody, required: true },
    response: { status: 200, data: DealRepresentation, headers: ['etag'] },
    errors: CHANGE_ERRORS,
    conditional: 'if-match',
    handle: (request, services: DealRouteServices) => applyPlain(request, services, () => commands.replaceTags(request.body.tags)),
  }),
  defineRoute({
    method: 'PUT',
    path: '/deals/{id}/contacts',
    group: 'api-write',
    operationId: 'replaceDealContacts',
    summary: 'Replace the contacts: customers with a role (decision_maker, champion, influencer, user, other)',
    permission: DEAL_PERMISSIONS.contacts,
    params: DealIdParams,
    body: { schema: DealContactsBody, required: true },
    response: { status: 200, data: DealRepresentation, headers: ['etag'] },
    errors: [...CHANGE_ERRORS, 'DEAL.UNKNOWN_CONTACT'],
    conditional: 'if-match',
    handle: (request, services: DealRouteServices) => applyPlain(request, services, () => commands.replaceContacts(request.body.contacts)),
  }),
  stageRoute('move', 'Move an open deal to another open stage (forward or backward)', StageBody),
  stageRoute('win', 'Win an open deal (closed_at defaults to now, may be in the past)', WinBody),
  stageRoute('lose', "Lose an open deal, with a reason from the pipeline's list", LoseBody),
  stageRoute('reopen', 'Reopen a won or lost deal: back to the open stage it closed from', undefined),
  defineRoute({
    method: 'DELETE',
    path: '/deals/{id}',
    group: 'api-write',
    operationId: 'deleteDeal',
    summary: 'Soft-delete a deal; it disappears from every read and report',
    permission: DEAL_PERMISSIONS.delete,
    params: DealIdParams,
    response: { status: 204 },
    errors: CHANGE_ERRORS,
    conditional: 'if-match',
    handle: async (request, services: DealRouteServices) => {
      const response = await applyPlain(request, services, (now) => ok(commands.deleteDeal(now)));
      return 'statusCode' in response && response.statusCode === 200 ? noContent() : response;
    },
  }),
];
