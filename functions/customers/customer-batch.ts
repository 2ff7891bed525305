import * as z from 'zod';
import { deleteCustomer } from '../../domain/customer/customer-commands.js';
import type { Customer } from '../../domain/customer/customer.js';
import { customerNotFound } from '../../domain/customer/customer-errors.js';
import { parseEmail, type Email } from '../../domain/shared/email.js';
import { err, ok } from '../../domain/shared/result.js';
import type { BatchObject } from '../batch/batch-object.js';
import { customerBody } from './customer-responses.js';
import { CUSTOMER_SEARCH } from './customer-search.js';
import { CUSTOMER_PERMISSIONS } from './customer-permissions.js';
import type { ChangeOptions } from './customer-service.js';
import { CreateCustomerBody, CustomerRepresentation, UpdateCustomerBody } from './customer.schemas.js';
import { createFromBody, updateFromBody, visibilityOf, type CustomerRouteServices } from './customers.routes.js';

const changeOptions = (scope: Parameters<typeof visibilityOf>[0], version: number | undefined): ChangeOptions => ({
  visibility: visibilityOf(scope),
  expected: version === undefined ? undefined : { version },
});

/**
 * Customers in batches: each input is POST /customers, PUT /customers/{id} or DELETE /customers/{id}
 * (same schemas, commands, scope and events). Lifecycle, tier, tags and assignment keep their own
 * routes: an upsert sets only what both a create and PUT accept (name, email, phone, source, user_id, company_id).
 */
export const CUSTOMER_BATCH: BatchObject<
  CustomerRouteServices,
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
  upsertItem: CreateCustomerBody.pick({ name: true, email: true, phone: true, source: true, user_id: true, company_id: true }),
  upsertKeys: ['id', 'email'],
  keyTaken: { email: 'CUSTOMER.EMAIL_TAKEN' },
  representation: CustomerRepresentation,
  errors: [
    'CUSTOMER.NOT_FOUND',
    'CUSTOMER.EMAIL_TAKEN',
    'CUSTOMER.USER_ALREADY_LINKED',
    'CUSTOMER.ACCOUNT_TYPE_CONFLICT',
    'CUSTOMER.VERSION_MISMATCH',
    'CUSTOMER.UNKNOWN_SALES_REP',
    'CUSTOMER.UNKNOWN_COMPANY',
  ],
  normaliseKey(key, value) {
    if (key === 'id') return z.uuid().safeParse(value).success ? ok(String(value).toLowerCase()) : err('must be a UUID');
    // The unique index is on lower(email): parseEmail trims and lower-cases exactly so.
    return typeof value === 'string' ? parseEmail(value) : err('must be a string');
  },
  async findIdByKey(services, key, value, { scope }) {
    const found =
      key === 'id'
        ? await services.customers.get(value, visibilityOf(scope))
        : await services.customers.getByEmail(value as Email, visibilityOf(scope));
    return found.ok ? found.value.id : null;
  },
  create: (services, input, caller) => createFromBody(services.customers, input, caller),
  async update(services, id, input, version, { actor, scope }) {
    const change = updateFromBody(input);
    if (!change.ok) return change;
    const outcome = await services.customers.change(id, () => change.value, actor.id, changeOptions(scope, version));
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
