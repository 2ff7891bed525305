import * as z from 'zod';
import { deleteCustomer, transition } from '../../domain/customer/customer-commands.js';
import { LIFECYCLE_COMMANDS } from '../../domain/customer/customer-lifecycle.js';
import { validationFailed } from '../../domain/errors.js';
import type { Customer } from '../../domain/customer/customer.js';
import { customerNotFound } from '../../domain/customer/customer-errors.js';
import { parseEmail, type Email } from '../../domain/shared/email.js';
import { parseExternalId } from '../../domain/shared/external-id.js';
import { err, ok } from '../../domain/shared/result.js';
import type { BatchObject } from '../batch/batch-object.js';
import { BATCH_LIMITS, BatchQuery, batchRepresentation, ifMatch, inputs } from '../batch/batch-routes.js';
import { runBatch, type BatchServices, type PlannedItem } from '../batch/batch-runner.js';
import { builtOnFirstUse } from '../http/built-on-first-use.js';
import { defineRoute } from '../http/route.js';
import type { SearchServices } from '../search/search-route.js';
import { customerBody } from './customer-responses.js';
import { CUSTOMER_SEARCH } from './customer-search.js';
import { CUSTOMER_PERMISSIONS } from './customer-permissions.js';
import type { ChangeOptions } from './customer-service.js';
import { ChurnBody, CreateCustomerBody, CustomerRepresentation, UpdateCustomerBody } from './customer.schemas.js';
import { createFromBody, updateFromBody, visibilityOf, type CustomerRouteServices } from './customers.routes.js';

const changeOptions = (scope: Parameters<typeof visibilityOf>[0], version: number | undefined): ChangeOptions => ({
  visibility: visibilityOf(scope),
  expected: version === undefined ? undefined : { version },
});

/** An EXTERNAL_ID_TAKEN whose holder is `id` itself: the external id is a loser's merged into it. */
const ownExternalIdThroughMerge = (error: { code: string; details?: Record<string, unknown> | undefined }, id: string) =>
  error.code === 'CUSTOMER.EXTERNAL_ID_TAKEN' && error.details?.['existing_customer_id'] === id;

/**
 * Customers in batches: each input is POST /customers, PUT /customers/{id} or DELETE /customers/{id}
 * (same schemas, commands, scope and events). Lifecycle, tier, tags and assignment keep their own
 * routes: an upsert sets only what both a create and PUT accept (name, email, phone, source, user_id,
 * company_id, external_id).
 */
export const CUSTOMER_BATCH: BatchObject<
  CustomerRouteServices & SearchServices,
  Customer,
  z.infer<typeof CreateCustomerBody>,
  z.infer<typeof UpdateCustomerBody>
> = {
  search: CUSTOMER_SEARCH,
  permissions: {
    create: CUSTOMER_PERMISSIONS.create,
    update: CUSTOMER_PERMISSIONS.update,
    read: CUSTOMER_PERMISSIONS.read,
    archive: CUSTOMER_PERMISSIONS.delete,
  },
  fieldPermissions: { tier: CUSTOMER_PERMISSIONS.tier, assigned_to: CUSTOMER_PERMISSIONS.assign, tags: CUSTOMER_PERMISSIONS.tags },
  createItem: CreateCustomerBody,
  updateItem: UpdateCustomerBody,
  upsertItem: CreateCustomerBody.pick({
    name: true,
    email: true,
    phone: true,
    source: true,
    user_id: true,
    company_id: true,
    external_id: true,
  }),
  upsertKeys: ['id', 'email', 'external_id'],
  keyTaken: { email: 'CUSTOMER.EMAIL_TAKEN', external_id: 'CUSTOMER.EXTERNAL_ID_TAKEN' },
  representation: CustomerRepresentation,
  errors: [
    'CUSTOMER.NOT_FOUND',
    'CUSTOMER.MERGED',
    'CUSTOMER.EMAIL_TAKEN',
    'CUSTOMER.EXTERNAL_ID_TAKEN',
    'CUSTOMER.USER_ALREADY_LINKED',
    'CUSTOMER.ACCOUNT_TYPE_CONFLICT',
    'CUSTOMER.VERSION_MISMATCH',
    'CUSTOMER.UNKNOWN_SALES_REP',
    'CUSTOMER.UNKNOWN_COMPANY',
  ],
  normaliseKey(key, value) {
    if (key === 'id') return z.uuid().safeParse(value).success ? ok(String(value).toLowerCase()) : err('must be a UUID');
    if (typeof value !== 'string') return err('must be a string');
    // idx_customers_external_id holds external ids as stored: trimmed, case counting.
    if (key === 'external_id') return parseExternalId(value);
    // The unique index is on lower(email): parseEmail trims and lower-cases exactly so.
    return parseEmail(value);
  },
  async findIdByKey(services, key, value, { scope }) {
    // A merged loser's external id finds its survivor (docs/merge.md).
    if (key === 'external_id') return services.customers.idByExternalId(value, visibilityOf(scope));
    const found =
      key === 'id'
        ? await services.customers.get(value, visibilityOf(scope))
        : await services.customers.getByEmail(value as Email, visibilityOf(scope));
    return found.ok ? found.value.id : null;
  },
  async create(services, input, caller) {
    const created = await createFromBody(services.customers, input, caller);
    return created.ok ? ok({ status: 'created', entity: created.value.customer }) : created;
  },
  async update(services, id, input, version, { actor, scope }) {
    const change = updateFromBody(input);
    if (!change.ok) return change;
    let outcome = await services.customers.change(id, () => change.value, actor.id, changeOptions(scope, version));
    // An upsert that matched a merged loser's external id updates the survivor, which keeps its own
    // (the loser's stays reserved to it, docs/merge.md): the rest of the input is applied without it.
    if (!outcome.ok && ownExternalIdThroughMerge(outcome.error, id) && input.external_id !== undefined) {
      const { external_id: _reserved, ...rest } = input;
      const without = updateFromBody(rest);
      if (!without.ok) return without;
      outcome = await services.customers.change(id, () => without.value, actor.id, changeOptions(scope, version));
    }
    if (!outcome.ok) return outcome;
    return ok({ status: outcome.value.kind === 'changed' ? 'updated' : 'unchanged', entity: outcome.value.entity });
  },
  async archive(services, id, version, { actor, scope }) {
    const outcome = await services.customers.change(id, (now) => deleteCustomer(now), actor.id, changeOptions(scope, version));
    if (!outcome.ok) return outcome;
    return ok({ status: 'archived', entity: outcome.value.entity });
  },
  identity: ({ id, version }) => ({ id, version }),
  body: (entity) => customerBody(entity),
  notFound: customerNotFound,
};

const TransitionItem = z.strictObject({
  id: z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' }),
  command: z.enum(LIFECYCLE_COMMANDS, { error: `must be one of ${LIFECYCLE_COMMANDS.join(', ')}` }),
  reason: ChurnBody.shape.reason,
  if_match: ifMatch,
});

// Built for the OpenAPI document and the response tests, not at import (see builtOnFirstUse).
const transitionResult = builtOnFirstUse(() => batchRepresentation(CUSTOMER_BATCH));

/**
 * `POST /customers/batch/transition`: lifecycle commands are not batch fields, so they have a batch
 * of their own. Each input is `POST /customers/{id}/{command}` (the transition table, scope, event).
 */
export const customerTransitionBatchRoute = defineRoute({
  method: 'POST',
  path: '/customers/batch/transition',
  group: 'api-write',
  operationId: 'batchTransitionCustomers',
  summary: `Run 1-${BATCH_LIMITS.inputs} lifecycle commands (qualify, convert, churn, reactivate), each as POST /customers/{id}/{command} would`,
  permission: CUSTOMER_PERMISSIONS.transition,
  query: BatchQuery,
  body: { schema: z.strictObject({ inputs: inputs(TransitionItem) }), required: true },
  maxBodyBytes: BATCH_LIMITS.bodyBytes,
  response: {
    status: 200,
    get data() {
      return transitionResult();
    },
    alternative: {
      status: 207,
      description: 'At least one input failed: its result has status error and the error; the others were applied.',
    },
  },
  errors: [...CUSTOMER_BATCH.errors, 'CUSTOMER.INVALID_TRANSITION', 'BATCH.FAILED'],
  handle: async (request, services: CustomerRouteServices & BatchServices<any>) => {
    const planned = request.body.inputs.map(({ id, command, reason, if_match }, index): PlannedItem<CustomerRouteServices, Customer> => ({
      index,
      targets: [`id:${id.toLowerCase()}`],
      run:
        command !== 'churn' && reason !== undefined
          ? validationFailed([{ field: `inputs[${index}].reason`, message: 'only churn records a reason' }])
          : async (on) => {
              const outcome = await on.customers.change(
                id,
                (now) => transition(command, now, { reason }),
                request.actor.id,
                changeOptions(request.scope, if_match),
              );
              if (!outcome.ok) return outcome;
              return ok({ status: outcome.value.kind === 'changed' ? 'updated' : 'unchanged', entity: outcome.value.entity });
            },
    }));
    return runBatch(services, planned, {
      allOrNone: request.query.all_or_none ?? false,
      identity: ({ id, version }) => ({ id, version }),
      render: (customer) => customerBody(customer),
    });
  },
});
