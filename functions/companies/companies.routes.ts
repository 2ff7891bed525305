import * as z from 'zod';
import { assignCompany, replaceCompanyTags, updateCompanyDetails } from '../../domain/company/company-commands.js';
import type { Company } from '../../domain/company/company.js';
import type { CompanyChange } from '../../domain/company/company-change.js';
import type { CompanyVisibility } from '../../domain/company/company-repository.js';
import { validationFailed, type DomainError } from '../../domain/errors.js';
import { parseDomainName } from '../../domain/shared/domain-name.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { ChildPage } from '../../domain/shared/paging.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { parseTags } from '../../domain/shared/tags.js';
import { onlySelfRefused, type AccessScope } from '../auth/access.js';
import { toEventDetail } from '../events/event-envelope.js';
import { EventDetailRepresentation } from '../events/event-representation.js';
import { clientHasCurrent, expectedTagFrom } from '../http/conditional-requests.js';
import type { ApiError } from '../http/http-errors.js';
import { noContent, success, type HttpResponse } from '../http/responses.js';
import { BASE_PATH, defineRoute, type Route, type RouteRequest } from '../http/route.js';
import { customerBody } from '../customers/customer-responses.js';
import { CustomerRepresentation } from '../customers/customer.schemas.js';
import type { CustomerService } from '../customers/customer-service.js';
import { encodeCursor } from '../customers/page-cursor.js';
import { COMPANY_PERMISSIONS } from './company-permissions.js';
import { companyBody, companyEtag, summaryBody } from './company-responses.js';
import type { CompanyService } from './company-service.js';
import {
  AssignCompanyBody,
  CompanyContactsQuery,
  CompanyHistoryQuery,
  CompanyIdParams,
  CompanyRepresentation,
  CompanySummaryRepresentation,
  CompanyTagsBody,
  CreateCompanyBody,
  DeleteCompanyQuery,
  DomainParams,
  ListCompaniesQuery,
  SubsidiariesQuery,
  SummaryQuery,
  UpdateCompanyBody,
} from './company.schemas.js';

export interface CompanyRouteServices {
  readonly companies: CompanyService;
  readonly customers: CustomerService;
}

/** A sales rep reads the companies they own and those of the customers assigned to them. */
export function readVisibility(scope: AccessScope): CompanyVisibility {
  return scope.kind === 'owner' ? { ownerId: scope.ownerId, throughContacts: true } : {};
}

/** A sales rep changes only the companies they own. */
export function writeVisibility(scope: AccessScope): CompanyVisibility {
  return scope.kind === 'owner' ? { ownerId: scope.ownerId } : {};
}

/** A sales rep may only make companies theirs, never someone else's. */
export const ownerRefused = (scope: AccessScope, ownerId: string | null | undefined): ApiError | null =>
  onlySelfRefused(scope, ownerId, { field: 'owner_id', message: 'Sales reps can make only themselves the owner of a company.' });

/**
 * A create body as POST /companies takes it (the batch create and upsert run each input through
 * here): a sales rep's new company is theirs, so that they can see it afterwards.
 */
export async function createCompanyFromBody(
  companies: CompanyService,
  body: z.infer<typeof CreateCompanyBody>,
  caller: { readonly actor: { readonly id: string }; readonly scope: AccessScope },
): Promise<Result<Company, ApiError>> {
  const { scope } = caller;
  const ownerId = scope.kind === 'owner' ? (body.owner_id ?? scope.ownerId) : body.owner_id;
  const refused = ownerRefused(scope, ownerId);
  if (refused) return err(refused);
  const created = await companies.create(
    {
      name: body.name,
      domain: body.domain,
      domainAliases: body.domain_aliases,
      industry: body.industry,
      sizeBand: body.size_band,
      country: body.country,
      phone: body.phone,
      website: body.website,
      ownerId,
      tags: body.tags,
      parentCompanyId: body.parent_company_id,
      externalId: body.external_id,
    },
    caller.actor.id,
    { visibility: readVisibility(scope) },
  );
  return created.ok ? ok(created.value.company) : created;
}

/** The change of PUT /companies/{id} (and of each input of POST /companies/batch/update). */
export const companyUpdateFromBody = (body: z.infer<typeof UpdateCompanyBody>) =>
  updateCompanyDetails({
    name: body.name,
    domain: body.domain,
    domainAliases: body.domain_aliases,
    industry: body.industry,
    sizeBand: body.size_band,
    country: body.country,
    phone: body.phone,
    website: body.website,
    parentCompanyId: body.parent_company_id,
    externalId: body.external_id,
  });

const COMPANY_FIELD_HINTS: Readonly<Record<string, string>> = {
  owner_id: 'the owner is changed with PUT /companies/{id}/assign',
  tags: 'tags are replaced with PUT /companies/{id}/tags',
};

const VERSION_MISMATCH: ApiError = { code: 'COMPANY.VERSION_MISMATCH', message: 'If-Match names another version of the company.' };
const fieldError = (field: string, message: string): DomainError => validationFailed([{ field, message }]);

const companyResponse = (statusCode: number, company: Company, headers: Record<string, string> = {}): HttpResponse =>
  success(statusCode, companyBody(company), { headers: { etag: companyEtag(company), ...headers } });

function renderRead(result: Result<Company, DomainError>, request: RouteRequest<unknown, unknown, unknown>): HttpResponse | DomainError {
  if (!result.ok) return result.error;
  const etag = companyEtag(result.value);
  return clientHasCurrent(request.headers, etag) ? { statusCode: 304, headers: { etag } } : companyResponse(200, result.value);
}

type IdRequest = RouteRequest<{ id: string }, unknown, unknown>;

/** The version If-Match names, if any. */
function expectedVersion(request: IdRequest): Result<number | undefined, ApiError> {
  const expected = expectedTagFrom(request.headers, VERSION_MISMATCH);
  if (!expected.ok) return expected;
  return ok(expected.value?.version);
}

/** Runs a change on the company named in the path and answers with the company as it now is. */
async function applyCommand(request: IdRequest, services: CompanyRouteServices, change: Result<CompanyChange, DomainError>) {
  if (!change.ok) return change.error;
  const version = expectedVersion(request);
  if (!version.ok) return version.error;
  const outcome = await services.companies.change(request.params.id, () => change.value, request.actor.id, {
    visibility: writeVisibility(request.scope),
    expectedVersion: version.value,
  });
  return outcome.ok ? companyResponse(200, outcome.value.entity) : outcome.error;
}

/** Tag filters of a list query, parsed like tag sets. */
function tagFilters(query: { tag?: string[] | undefined; tags_all?: string[] | undefined }) {
  const tagsAny = query.tag && parseTags(query.tag);
  const tagsAll = query.tags_all && parseTags(query.tags_all);
  if (tagsAny && !tagsAny.ok) return { error: fieldError('tag', tagsAny.error) };
  if (tagsAll && !tagsAll.ok) return { error: fieldError('tags_all', tagsAll.error) };
  return { tagsAny: tagsAny ? tagsAny.value : undefined, tagsAll: tagsAll ? tagsAll.value : undefined };
}

const sameSortOrRefuse = (cursor: { sort: string } | undefined, sort: string) =>
  cursor && cursor.sort !== sort ? fieldError('cursor', `it was issued for sort=${cursor.sort}; repeat the same sort to continue`) : null;

export const companyRoutes: readonly Route<any, any, any, CompanyRouteServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/companies',
    group: 'api-write',
    operationId: 'createCompany',
    summary: 'Create a company',
    permission: COMPANY_PERMISSIONS.create,
    fieldPermissions: { owner_id: COMPANY_PERMISSIONS.assign, tags: COMPANY_PERMISSIONS.tags },
    body: { schema: CreateCompanyBody, required: true },
    response: { status: 201, data: CompanyRepresentation, headers: ['etag', 'location'] },
    errors: [
      'COMPANY.DOMAIN_TAKEN',
      'COMPANY.EXTERNAL_ID_TAKEN',
      'COMPANY.UNKNOWN_PARENT',
      'COMPANY.HIERARCHY_TOO_DEEP',
      'COMPANY.UNKNOWN_SALES_REP',
    ],
    handle: async ({ body, actor, scope }, services: CompanyRouteServices) => {
      const created = await createCompanyFromBody(services.companies, body, { actor, scope });
      if (!created.ok) return created.error;
      const company = created.value;
      return companyResponse(201, company, { location: `${BASE_PATH}/companies/${company.id}` });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/companies',
    group: 'api-read',
    operationId: 'listCompanies',
    summary: 'List companies with filters and cursor pagination',
    permission: COMPANY_PERMISSIONS.read,
    query: ListCompaniesQuery,
    response: { status: 200, data: z.array(CompanyRepresentation), paginated: true },
    handle: async ({ query, scope }, services: CompanyRouteServices) => {
      const refused = sameSortOrRefuse(query.cursor, query.sort);
      if (refused) return refused;
      const tags = tagFilters(query);
      if (tags.error) return tags.error;
      let domain;
      if (query.domain !== undefined) {
        const parsed = parseDomainName(query.domain);
        if (!parsed.ok) return fieldError('domain', parsed.error);
        domain = parsed.value;
      }
      const page = await services.companies.list({
        visibility: readVisibility(scope),
        text: query.q,
        domain,
        ownerId: query.owner_id,
        industry: query.industry?.trim().toLowerCase(),
        sizeBand: query.size_band,
        country: query.country?.trim().toUpperCase(),
        tagsAny: tags.tagsAny,
        tagsAll: tags.tagsAll,
        parentCompanyId: query.parent_company_id,
        createdFrom: query.created_from,
        createdTo: query.created_to,
        sort: query.sort,
        limit: query.limit,
        after: query.cursor?.position,
      });
      return success(200, page.companies.map(companyBody), {
        pagination: { limit: query.limit, next_cursor: page.next ? encodeCursor(query.sort, page.next) : null },
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/companies/domain/{domain}',
    group: 'api-read',
    operationId: 'getCompanyByDomain',
    summary: 'Get a company by its domain or one of its aliases (a URL or a host; normalised like on input)',
    permission: COMPANY_PERMISSIONS.read,
    params: DomainParams,
    response: { status: 200, data: CompanyRepresentation, headers: ['etag'] },
    errors: ['COMPANY.NOT_FOUND'],
    conditional: 'if-none-match',
    handle: async (request, services: CompanyRouteServices) => {
      const domain = parseDomainName(request.params.domain);
      if (!domain.ok) return fieldError('domain', domain.error);
      return renderRead(await services.companies.getByDomain(domain.value, readVisibility(request.scope)), request);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/companies/{id}',
    group: 'api-read',
    operationId: 'getCompany',
    summary: 'Get a company by id',
    permission: COMPANY_PERMISSIONS.read,
    params: CompanyIdParams,
    response: { status: 200, data: CompanyRepresentation, headers: ['etag'] },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED'],
    conditional: 'if-none-match',
    handle: async (request, services: CompanyRouteServices) =>
      renderRead(await services.companies.get(request.params.id, readVisibility(request.scope)), request),
  }),
  defineRoute({
    method: 'PUT',
    path: '/companies/{id}',
    group: 'api-write',
    operationId: 'updateCompany',
    summary: 'Update name, domain, aliases, industry, size band, country, phone, website, parent or external id',
    permission: COMPANY_PERMISSIONS.update,
    params: CompanyIdParams,
    body: { schema: UpdateCompanyBody, required: true, hints: COMPANY_FIELD_HINTS },
    response: { status: 200, data: CompanyRepresentation, headers: ['etag'] },
    errors: [
      'COMPANY.NOT_FOUND',
      'COMPANY.MERGED',
      'COMPANY.DOMAIN_TAKEN',
      'COMPANY.EXTERNAL_ID_TAKEN',
      'COMPANY.UNKNOWN_PARENT',
      'COMPANY.HIERARCHY_CYCLE',
      'COMPANY.HIERARCHY_TOO_DEEP',
      'COMPANY.VERSION_MISMATCH',
    ],
    conditional: 'if-match',
    handle: (request, services: CompanyRouteServices) => {
      const { body } = request;
      return applyCommand(request, services, companyUpdateFromBody(body));
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/companies/{id}/assign',
    group: 'api-write',
    operationId: 'assignCompany',
    summary: 'Set the owning sales rep (or null for none)',
    permission: COMPANY_PERMISSIONS.assign,
    params: CompanyIdParams,
    body: { schema: AssignCompanyBody, required: true, hints: COMPANY_FIELD_HINTS },
    response: { status: 200, data: CompanyRepresentation, headers: ['etag'] },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED', 'COMPANY.UNKNOWN_SALES_REP', 'COMPANY.VERSION_MISMATCH'],
    conditional: 'if-match',
    handle: async (request, services: CompanyRouteServices) =>
      ownerRefused(request.scope, request.body.owner_id) ?? applyCommand(request, services, ok(assignCompany(request.body.owner_id))),
  }),
  defineRoute({
    method: 'PUT',
    path: '/companies/{id}/tags',
    group: 'api-write',
    operationId: 'replaceCompanyTags',
    summary: 'Replace the tag set',
    permission: COMPANY_PERMISSIONS.tags,
    params: CompanyIdParams,
    body: { schema: CompanyTagsBody, required: true, hints: COMPANY_FIELD_HINTS },
    response: { status: 200, data: CompanyRepresentation, headers: ['etag'] },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED', 'COMPANY.VERSION_MISMATCH'],
    conditional: 'if-match',
    handle: (request, services: CompanyRouteServices) => applyCommand(request, services, replaceCompanyTags(request.body.tags)),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/companies/{id}',
    group: 'api-write',
    operationId: 'deleteCompany',
    summary: 'Soft-delete a company; with ?detach_contacts=true its contacts lose their company_id in the same transaction',
    permission: COMPANY_PERMISSIONS.delete,
    params: CompanyIdParams,
    query: DeleteCompanyQuery,
    response: { status: 204 },
    errors: [
      'COMPANY.NOT_FOUND',
      'COMPANY.MERGED',
      'COMPANY.HAS_CONTACTS',
      'COMPANY.HAS_SUBSIDIARIES',
      'COMPANY.HAS_OPEN_DEALS',
      'COMPANY.VERSION_MISMATCH',
    ],
    conditional: 'if-match',
    handle: async (request, services: CompanyRouteServices) => {
      const version = expectedVersion(request);
      if (!version.ok) return version.error;
      const deleted = await services.companies.delete(request.params.id, request.actor.id, {
        visibility: writeVisibility(request.scope),
        expectedVersion: version.value,
        detachContacts: request.query.detach_contacts ?? false,
      });
      return deleted.ok ? noContent() : deleted.error;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/companies/{id}/contacts',
    group: 'api-read',
    operationId: 'listCompanyContacts',
    summary: "The company's contacts (customers), with the customer list's filters and cursor",
    permission: COMPANY_PERMISSIONS.read,
    params: CompanyIdParams,
    query: CompanyContactsQuery,
    response: { status: 200, data: z.array(CustomerRepresentation), paginated: true },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED'],
    handle: async ({ params, query, scope }, services: CompanyRouteServices) => {
      const company = await services.companies.get(params.id, readVisibility(scope));
      if (!company.ok) return company.error;
      const refused = sameSortOrRefuse(query.cursor, query.sort);
      if (refused) return refused;
      const tags = tagFilters(query);
      if (tags.error) return tags.error;
      // A sales rep sees the contacts assigned to them, as in the customer list.
      if (scope.kind === 'owner' && query.assigned_to !== undefined && query.assigned_to !== scope.ownerId) {
        return success(200, [], { pagination: { limit: query.limit, next_cursor: null } });
      }
      const page = await services.customers.list({
        status: query.status,
        tier: query.tier,
        source: query.source,
        assignedTo: scope.kind === 'owner' ? scope.ownerId : query.assigned_to,
        companyId: params.id,
        userId: query.user_id,
        tagsAny: tags.tagsAny,
        tagsAll: tags.tagsAll,
        text: query.q,
        createdFrom: query.created_from,
        createdTo: query.created_to,
        sort: query.sort,
        limit: query.limit,
        after: query.cursor?.position,
      });
      return success(200, page.customers.map(customerBody), {
        pagination: { limit: query.limit, next_cursor: page.next ? encodeCursor(query.sort, page.next) : null },
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/companies/{id}/subsidiaries',
    group: 'api-read',
    operationId: 'listCompanySubsidiaries',
    summary: 'Its direct subsidiaries, or with ?depth=all every company below it',
    permission: COMPANY_PERMISSIONS.read,
    params: CompanyIdParams,
    query: SubsidiariesQuery,
    response: { status: 200, data: z.array(CompanyRepresentation), paginated: true },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED'],
    handle: async ({ params, query, scope }, services: CompanyRouteServices) => {
      const company = await services.companies.get(params.id, readVisibility(scope));
      if (!company.ok) return company.error;
      const refused = sameSortOrRefuse(query.cursor, query.sort);
      if (refused) return refused;
      const page = await services.companies.list({
        visibility: readVisibility(scope),
        ...(query.depth === 'all' ? { subtreeOf: params.id } : { parentCompanyId: params.id }),
        sort: query.sort,
        limit: query.limit,
        after: query.cursor?.position,
      });
      return success(200, page.companies.map(companyBody), {
        pagination: { limit: query.limit, next_cursor: page.next ? encodeCursor(query.sort, page.next) : null },
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/companies/{id}/summary',
    group: 'api-read',
    operationId: 'getCompanySummary',
    summary: 'Rollup of its contacts by status and their orders per currency; ?include_subsidiaries=true for the whole tree',
    permission: COMPANY_PERMISSIONS.read,
    params: CompanyIdParams,
    query: SummaryQuery,
    response: { status: 200, data: CompanySummaryRepresentation },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED'],
    handle: async ({ params, query, scope }, services: CompanyRouteServices) => {
      const include = query.include_subsidiaries ?? false;
      const summary = await services.companies.summary(params.id, include, readVisibility(scope));
      return summary.ok ? success(200, summaryBody(params.id, include, summary.value)) : summary.error;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/companies/{id}/history',
    group: 'api-read',
    operationId: 'getCompanyHistory',
    summary: "The company's domain events, oldest first, a page at a time",
    permission: COMPANY_PERMISSIONS.history,
    params: CompanyIdParams,
    query: CompanyHistoryQuery,
    response: { status: 200, data: z.array(EventDetailRepresentation), paginated: true },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED'],
    handle: async ({ params, query, scope }, services: CompanyRouteServices) => {
      const history = await services.companies.history(params.id, query, readVisibility(scope));
      if (!history.ok) return history.error;
      return eventPage(history.value, query);
    },
  }),
];

/** A page of the company's events in the list envelope; `after` naming no event of it is 400. */
function eventPage(
  page: ChildPage<Parameters<typeof toEventDetail>[0]>,
  query: { readonly after?: string | undefined; readonly limit: number },
): HttpResponse | DomainError {
  if (page.kind === 'unknown_after') return fieldError('after', `no event ${query.after} belongs to this company`);
  const last = page.items[page.items.length - 1];
  return success(
    200,
    page.items.map((event) => toEventDetail(event) as JsonObject),
    { pagination: { limit: query.limit, next_cursor: page.hasMore && last !== undefined ? last.eventId : null } },
  );
}
