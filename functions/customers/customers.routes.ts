import * as commands from '../../domain/customer/customer-commands.js';
import type { CustomerChange } from '../../domain/customer/customer-change.js';
import type { Customer, Timestamp } from '../../domain/customer/customer.js';
import type { LifecycleCommand } from '../../domain/customer/customer-lifecycle.js';
import { validationFailed, type DomainError } from '../../domain/errors.js';
import { parseEmail } from '../../domain/shared/email.js';
import { parseTags } from '../../domain/shared/tags.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import type { ChildPage, Visibility } from '../../domain/customer/customer-repository.js';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import { CreateWarnings } from '../duplicates/duplicates.schemas.js';
import { duplicateWarnings } from '../duplicates/duplicate-warnings.js';
import type { CustomerCandidate } from '../duplicates/duplicate-finder.js';
import { onlySelfRefused, type AccessScope } from '../auth/access.js';
import type { ApiError } from '../http/http-errors.js';
import { noContent, success, type HttpResponse } from '../http/responses.js';
import { BASE_PATH, defineRoute, type Route, type RouteRequest } from '../http/route.js';
import { toEventDetail } from '../events/event-envelope.js';
import { customerBody, etagOf, purchaseBody } from './customer-responses.js';
import type { PurchaseRepository } from '../purchases/purchase-repository.js';
import type { SalesRepDirectory } from '../sales-reps/sales-rep-directory.js';
import * as z from 'zod';
import { EventDetailRepresentation } from '../events/event-representation.js';
import {
  AssignBody,
  ChurnBody,
  CreateCustomerBody,
  CustomerRepresentation,
  CustomerIdParams,
  EmailParams,
  HistoryQuery,
  ListCustomersQuery,
  PurchaseRepresentation,
  PurchasesQuery,
  TagsBody,
  TierBody,
  UpdateCustomerBody,
} from './customer.schemas.js';
import type { ChangeOptions, CustomerService } from './customer-service.js';
import { CUSTOMER_PERMISSIONS } from './customer-permissions.js';
import { clientHasCurrent, expectedTagFrom } from '../http/conditional-requests.js';
import { encodeCursor } from './page-cursor.js';

export interface CustomerRouteServices {
  readonly customers: CustomerService;
  readonly salesReps: SalesRepDirectory;
  readonly purchases: PurchaseRepository;
}

const customerResponse = (
  statusCode: number,
  customer: Customer,
  headers: Record<string, string> = {},
  warnings: JsonValue[] = [],
): HttpResponse => success(statusCode, customerBody(customer), { headers: { etag: etagOf(customer), ...headers }, warnings });

/** A read answers 304 when the caller's If-None-Match already names the current version. */
function renderRead(result: Result<Customer, DomainError>, request: RouteRequest<unknown, unknown, unknown>): HttpResponse | DomainError {
  if (!result.ok) return result.error;
  const etag = etagOf(result.value);
  return clientHasCurrent(request.headers, etag) ? { statusCode: 304, headers: { etag } } : customerResponse(200, result.value);
}

/** Sales reps see only the customers assigned to them; everyone else sees all. */
export function visibilityOf(scope: AccessScope): Visibility {
  return scope.kind === 'owner' ? { assignedTo: scope.ownerId } : {};
}

/** An owner-scoped caller (sales rep) may only make customers theirs, never someone else's. */
export const assigneeRefused = (scope: AccessScope, assignedTo: string | null | undefined): ApiError | null =>
  onlySelfRefused(scope, assignedTo, { field: 'assigned_to', message: 'Sales reps can assign customers only to themselves.' });

/**
 * A create body as POST /customers takes it (POST /customers/batch/create and upsert run each input
 * through here): a sales rep's new customer is theirs, so that they can see it afterwards; whether
 * the assignee is an active sales rep is checked by the insert itself (CUSTOMER_TABLE).
 */
export async function createFromBody(
  customers: CustomerService,
  body: z.infer<typeof CreateCustomerBody>,
  caller: { readonly actor: { readonly id: string }; readonly scope: AccessScope },
): Promise<Result<{ customer: Customer; possibleDuplicates: CustomerCandidate[] }, ApiError>> {
  const { scope } = caller;
  const assignedTo = scope.kind === 'owner' ? (body.assigned_to ?? scope.ownerId) : body.assigned_to;
  const refused = assigneeRefused(scope, assignedTo);
  if (refused) return err(refused);
  const created = await customers.create(
    {
      name: body.name,
      email: body.email,
      phone: body.phone,
      source: body.source,
      tier: body.tier,
      userId: body.user_id,
      companyId: body.company_id,
      externalId: body.external_id,
      assignedTo,
      tags: body.tags,
    },
    caller.actor.id,
    { visibility: visibilityOf(scope) },
  );
  return created.ok ? ok({ customer: created.value.customer, possibleDuplicates: created.value.possibleDuplicates }) : created;
}

/** The change of PUT /customers/{id} (and of each input of POST /customers/batch/update). */
export const updateFromBody = (body: z.infer<typeof UpdateCustomerBody>) =>
  commands.updateDetails({
    name: body.name,
    email: body.email,
    phone: body.phone,
    source: body.source,
    userId: body.user_id,
    companyId: body.company_id,
    externalId: body.external_id,
  });

/** Keys callers often send to PUT /customers/{id}, which it refuses: where each is changed instead. */
const CUSTOMER_FIELD_HINTS: Readonly<Record<string, string>> = {
  status: 'status cannot be set directly; use the qualify, convert, churn and reactivate endpoints',
  tier: 'tier is changed with PUT /customers/{id}/tier',
  tags: 'tags are replaced with PUT /customers/{id}/tags',
  assigned_to: 'assignment is changed with PUT /customers/{id}/assign',
};

const VERSION_MISMATCH: ApiError = { code: 'CUSTOMER.VERSION_MISMATCH', message: 'If-Match names another version of the customer.' };

type IdRequest = RouteRequest<{ id: string }, unknown, unknown>;

/** Runs a change on the customer named in the path and answers with the customer as it now is. */
async function applyCommand(
  request: IdRequest,
  services: CustomerRouteServices,
  change: Result<CustomerChange, DomainError> | ((now: Timestamp) => CustomerChange),
) {
  if (typeof change !== 'function' && !change.ok) return change.error;
  const build = typeof change === 'function' ? change : () => change.value;
  const options = changeOptions(request);
  if (!options.ok) return options.error;
  const outcome = await services.customers.change(request.params.id, build, request.actor.id, options.value);
  return outcome.ok ? customerResponse(200, outcome.value.entity) : outcome.error;
}

/** Whose customers the change may touch, and the representation If-Match names (if any). */
function changeOptions(request: IdRequest): Result<ChangeOptions, ApiError> {
  const expected = expectedTagFrom(request.headers, VERSION_MISMATCH);
  if (!expected.ok) return expected;
  const tag = expected.value;
  return ok({ visibility: visibilityOf(request.scope), expected: tag && { version: tag.version, summaryRevision: tag.revision } });
}

const fieldError = (field: string, message: string): DomainError => validationFailed([{ field, message }]);

function lifecycleRoute(command: LifecycleCommand, summary: string) {
  return defineRoute({
    method: 'POST',
    path: `/customers/{id}/${command}`,
    group: 'api-write',
    operationId: `${command}Customer`,
    summary,
    permission: CUSTOMER_PERMISSIONS.transition,
    params: CustomerIdParams,
    body: { schema: ChurnBody, required: false, hints: CUSTOMER_FIELD_HINTS },
    response: { status: 200, data: CustomerRepresentation, headers: ['etag'] },
    errors: ['CUSTOMER.NOT_FOUND', 'CUSTOMER.MERGED', 'CUSTOMER.INVALID_TRANSITION', 'CUSTOMER.VERSION_MISMATCH', 'CUSTOMER.ERASED'],
    conditional: 'if-match',
    handle: (request, services: CustomerRouteServices) => {
      if (command !== 'churn' && request.body?.reason !== undefined) {
        return Promise.resolve(fieldError('reason', 'only churn records a reason; send no body'));
      }
      return applyCommand(request, services, (now) => commands.transition(command, now, { reason: request.body?.reason }));
    },
  });
}

export const customerRoutes: readonly Route<any, any, any, CustomerRouteServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/customers',
    group: 'api-write',
    operationId: 'createCustomer',
    summary: 'Create a customer (status starts at lead)',
    permission: CUSTOMER_PERMISSIONS.create,
    fieldPermissions: { tier: CUSTOMER_PERMISSIONS.tier, assigned_to: CUSTOMER_PERMISSIONS.assign, tags: CUSTOMER_PERMISSIONS.tags },
    body: { schema: CreateCustomerBody, required: true, hints: CUSTOMER_FIELD_HINTS },
    response: { status: 201, data: CustomerRepresentation, headers: ['etag', 'location'], warnings: CreateWarnings },
    errors: [
      'CUSTOMER.EMAIL_TAKEN',
      'CUSTOMER.EXTERNAL_ID_TAKEN',
      'CUSTOMER.USER_ALREADY_LINKED',
      'CUSTOMER.UNKNOWN_SALES_REP',
      'CUSTOMER.UNKNOWN_COMPANY',
      'CUSTOMER.SUPPRESSED',
    ],
    handle: async ({ body, actor, scope }, services: CustomerRouteServices) => {
      const created = await createFromBody(services.customers, body, { actor, scope });
      if (!created.ok) return created.error;
      const { customer, possibleDuplicates } = created.value;
      return customerResponse(201, customer, { location: `${BASE_PATH}/customers/${customer.id}` }, duplicateWarnings(possibleDuplicates));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/customers',
    group: 'api-read',
    operationId: 'listCustomers',
    summary: 'List customers with filters and cursor pagination',
    permission: CUSTOMER_PERMISSIONS.read,
    query: ListCustomersQuery,
    response: { status: 200, data: z.array(CustomerRepresentation), paginated: true },
    handle: async ({ query, scope }, services: CustomerRouteServices) => {
      const assignedTo = scope.kind === 'owner' ? scope.ownerId : query.assigned_to;
      if (scope.kind === 'owner' && query.assigned_to !== undefined && query.assigned_to !== scope.ownerId) {
        return success(200, [], { pagination: { limit: query.limit, next_cursor: null } });
      }
      if (query.cursor && query.cursor.sort !== query.sort) {
        return fieldError('cursor', `it was issued for sort=${query.cursor.sort}; repeat the same sort to continue`);
      }
      const tagsAny = query.tag && parseTags(query.tag);
      const tagsAll = query.tags_all && parseTags(query.tags_all);
      if (tagsAny && !tagsAny.ok) return fieldError('tag', tagsAny.error);
      if (tagsAll && !tagsAll.ok) return fieldError('tags_all', tagsAll.error);
      const page = await services.customers.list({
        status: query.status,
        tier: query.tier,
        source: query.source,
        assignedTo,
        companyId: query.company_id,
        userId: query.user_id,
        // Stored trimmed (as the unique index compares it), so the filter is trimmed the same way.
        externalId: query.external_id?.trim() || undefined,
        tagsAny: tagsAny ? tagsAny.value : undefined,
        tagsAll: tagsAll ? tagsAll.value : undefined,
        text: query.q,
        createdFrom: query.created_from,
        createdTo: query.created_to,
        insight: query.segment || query.churn_risk ? { segment: query.segment, churnRisk: query.churn_risk } : undefined,
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
    path: '/customers/email/{email}',
    group: 'api-read',
    operationId: 'getCustomerByEmail',
    summary: 'Get a customer by email (case-insensitive)',
    permission: CUSTOMER_PERMISSIONS.read,
    params: EmailParams,
    response: { status: 200, data: CustomerRepresentation, headers: ['etag'] },
    errors: ['CUSTOMER.NOT_FOUND'],
    conditional: 'if-none-match',
    handle: async (request, services: CustomerRouteServices) => {
      const email = parseEmail(request.params.email);
      if (!email.ok) return fieldError('email', email.error);
      return renderRead(await services.customers.getByEmail(email.value, visibilityOf(request.scope)), request);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/customers/{id}',
    group: 'api-read',
    operationId: 'getCustomer',
    summary: 'Get a customer by id',
    permission: CUSTOMER_PERMISSIONS.read,
    params: CustomerIdParams,
    response: { status: 200, data: CustomerRepresentation, headers: ['etag'] },
    errors: ['CUSTOMER.NOT_FOUND', 'CUSTOMER.MERGED'],
    conditional: 'if-none-match',
    handle: async (request, services: CustomerRouteServices) =>
      renderRead(await services.customers.get(request.params.id, visibilityOf(request.scope)), request),
  }),
  defineRoute({
    method: 'PUT',
    path: '/customers/{id}',
    group: 'api-write',
    operationId: 'updateCustomer',
    summary: 'Update name, email, phone, source, user_id, company_id or external_id',
    permission: CUSTOMER_PERMISSIONS.update,
    params: CustomerIdParams,
    body: { schema: UpdateCustomerBody, required: true, hints: CUSTOMER_FIELD_HINTS },
    response: { status: 200, data: CustomerRepresentation, headers: ['etag'] },
    errors: [
      'CUSTOMER.NOT_FOUND',
      'CUSTOMER.MERGED',
      'CUSTOMER.EMAIL_TAKEN',
      'CUSTOMER.EXTERNAL_ID_TAKEN',
      'CUSTOMER.USER_ALREADY_LINKED',
      'CUSTOMER.ACCOUNT_TYPE_CONFLICT',
      'CUSTOMER.VERSION_MISMATCH',
      'CUSTOMER.ERASED',
      'CUSTOMER.UNKNOWN_COMPANY',
    ],
    conditional: 'if-match',
    handle: (request, services: CustomerRouteServices) => {
      const { body } = request;
      return applyCommand(request, services, updateFromBody(body));
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/customers/{id}',
    group: 'api-write',
    operationId: 'deleteCustomer',
    summary: 'Soft-delete a customer; it disappears from every read',
    permission: CUSTOMER_PERMISSIONS.delete,
    params: CustomerIdParams,
    response: { status: 204 },
    errors: ['CUSTOMER.NOT_FOUND', 'CUSTOMER.MERGED', 'CUSTOMER.VERSION_MISMATCH', 'CUSTOMER.ERASED'],
    conditional: 'if-match',
    handle: async (request, services: CustomerRouteServices) => {
      const options = changeOptions(request);
      if (!options.ok) return options.error;
      const outcome = await services.customers.change(
        request.params.id,
        (now) => commands.deleteCustomer(now),
        request.actor.id,
        options.value,
      );
      return outcome.ok ? noContent() : outcome.error;
    },
  }),
  lifecycleRoute('qualify', 'Qualify a lead: lead → prospect'),
  lifecycleRoute('convert', 'Convert a prospect: prospect → customer'),
  lifecycleRoute('churn', 'Record that a customer churned: customer → churned (optional reason)'),
  lifecycleRoute('reactivate', 'Win back a churned customer: churned → prospect'),
  defineRoute({
    method: 'PUT',
    path: '/customers/{id}/assign',
    group: 'api-write',
    operationId: 'assignCustomer',
    summary: 'Assign a sales rep (or null to unassign)',
    permission: CUSTOMER_PERMISSIONS.assign,
    params: CustomerIdParams,
    body: { schema: AssignBody, required: true, hints: CUSTOMER_FIELD_HINTS },
    response: { status: 200, data: CustomerRepresentation, headers: ['etag'] },
    errors: ['CUSTOMER.NOT_FOUND', 'CUSTOMER.MERGED', 'CUSTOMER.UNKNOWN_SALES_REP', 'CUSTOMER.VERSION_MISMATCH', 'CUSTOMER.ERASED'],
    conditional: 'if-match',
    handle: async (request, services: CustomerRouteServices) => {
      return (
        assigneeRefused(request.scope, request.body.assigned_to) ??
        // Whether the assignee is an active sales rep is checked by the change statement itself (CUSTOMER_TABLE).
        applyCommand(request, services, () => commands.assign(request.body.assigned_to))
      );
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/customers/{id}/tier',
    group: 'api-write',
    operationId: 'changeCustomerTier',
    summary: 'Change the tier',
    permission: CUSTOMER_PERMISSIONS.tier,
    params: CustomerIdParams,
    body: { schema: TierBody, required: true, hints: CUSTOMER_FIELD_HINTS },
    response: { status: 200, data: CustomerRepresentation, headers: ['etag'] },
    errors: ['CUSTOMER.NOT_FOUND', 'CUSTOMER.MERGED', 'CUSTOMER.VERSION_MISMATCH', 'CUSTOMER.ERASED'],
    conditional: 'if-match',
    handle: (request, services: CustomerRouteServices) => applyCommand(request, services, () => commands.changeTier(request.body.tier)),
  }),
  defineRoute({
    method: 'PUT',
    path: '/customers/{id}/tags',
    group: 'api-write',
    operationId: 'replaceCustomerTags',
    summary: 'Replace the tag set',
    permission: CUSTOMER_PERMISSIONS.tags,
    params: CustomerIdParams,
    body: { schema: TagsBody, required: true, hints: CUSTOMER_FIELD_HINTS },
    response: { status: 200, data: CustomerRepresentation, headers: ['etag'] },
    errors: ['CUSTOMER.NOT_FOUND', 'CUSTOMER.MERGED', 'CUSTOMER.VERSION_MISMATCH', 'CUSTOMER.ERASED'],
    conditional: 'if-match',
    handle: (request, services: CustomerRouteServices) => applyCommand(request, services, commands.replaceTags(request.body.tags)),
  }),
  defineRoute({
    method: 'GET',
    path: '/customers/{id}/history',
    group: 'api-read',
    operationId: 'getCustomerHistory',
    summary: "The customer's domain events, oldest first, a page at a time",
    permission: CUSTOMER_PERMISSIONS.history,
    params: CustomerIdParams,
    query: HistoryQuery,
    response: { status: 200, data: z.array(EventDetailRepresentation), paginated: true },
    errors: ['CUSTOMER.NOT_FOUND', 'CUSTOMER.MERGED'],
    handle: async ({ params, query, scope }, services: CustomerRouteServices) => {
      const history = await services.customers.history(params.id, query, visibilityOf(scope));
      if (!history.ok) return history.error;
      // The history shows each event exactly as consumers receive it on the bus.
      return childPageResponse(history.value, query, 'event', toEventDetail, (event) => event.eventId);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/customers/{id}/purchases',
    group: 'api-read',
    operationId: 'listCustomerPurchases',
    summary: "The customer's orders from Order Management, newest first, a page at a time",
    permission: CUSTOMER_PERMISSIONS.read,
    params: CustomerIdParams,
    query: PurchasesQuery,
    response: { status: 200, data: z.array(PurchaseRepresentation), paginated: true, headers: ['etag'] },
    errors: ['CUSTOMER.NOT_FOUND', 'CUSTOMER.MERGED'],
    handle: async ({ params, query, scope }, services: CustomerRouteServices) => {
      const customer = await services.customers.get(params.id, visibilityOf(scope));
      if (!customer.ok) return customer.error;
      const purchases = await services.purchases.listForCustomer(params.id, query);
      return childPageResponse(purchases, query, 'order', purchaseBody, (purchase) => purchase.orderId, { etag: etagOf(customer.value) });
    },
  }),
];

/** A page of a customer's child list in the list envelope; `after` naming no item of theirs is 400. */
function childPageResponse<T>(
  page: ChildPage<T>,
  query: { readonly after?: string | undefined; readonly limit: number },
  item: string,
  render: (value: T) => JsonObject,
  idOf: (value: T) => string,
  headers: Record<string, string> = {},
): HttpResponse | DomainError {
  if (page.kind === 'unknown_after') return fieldError('after', `no ${item} ${query.after} belongs to this customer`);
  const last = page.items[page.items.length - 1];
  return success(200, page.items.map(render), {
    headers,
    pagination: { limit: query.limit, next_cursor: page.hasMore && last !== undefined ? idOf(last) : null },
  });
}
