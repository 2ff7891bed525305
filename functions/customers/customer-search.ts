import { CUSTOMER_STATUSES, CUSTOMER_TIERS } from '../../domain/customer/customer.js';
import type { SearchableObject } from '../search/searchable-object.js';
import { customerScope } from './customer-repository.js';
import { customerBody } from './customer-responses.js';
import { CustomerRepresentation } from './customer.schemas.js';
import { visibilityOf } from './customers.routes.js';
import { CUSTOMERS, rowToCustomer, type CustomerRow } from './customer-table.js';

/** Customers as search (and later batch, import and export) see them: each property, its type and its column. */
export const CUSTOMER_SEARCH: SearchableObject = {
  name: 'customers',
  table: CUSTOMERS,
  properties: {
    id: { type: 'uuid', column: 'id' },
    name: { type: 'string', column: 'name' },
    email: { type: 'string', column: 'email', caseInsensitive: true },
    phone: { type: 'string', column: 'phone', nullable: true },
    status: { type: 'enum', column: 'status', values: CUSTOMER_STATUSES },
    tier: { type: 'enum', column: 'tier', values: CUSTOMER_TIERS },
    source: { type: 'string', column: 'source' },
    assigned_to: { type: 'uuid', column: 'assigned_to', nullable: true },
    company_id: { type: 'uuid', column: 'company_id', nullable: true },
    user_id: { type: 'uuid', column: 'user_id', nullable: true },
    external_id: { type: 'string', column: 'external_id', nullable: true },
    tags: { type: 'array', column: 'tags' },
    orders_count: { type: 'number', column: 'orders_count', sqlType: 'integer' },
    first_order_at: { type: 'datetime', column: 'first_order_at', nullable: true },
    last_order_at: { type: 'datetime', column: 'last_order_at', nullable: true },
    last_interaction_at: { type: 'datetime', column: 'last_interaction_at', nullable: true },
    churned_at: { type: 'datetime', column: 'churned_at', nullable: true },
    version: { type: 'number', column: 'version', sqlType: 'integer' },
    created_at: { type: 'datetime', column: 'created_at' },
    updated_at: { type: 'datetime', column: 'updated_at' },
  },
  textColumns: ['name', 'email'],
  defaultSorts: [{ property: 'created_at', direction: 'desc' }],
  representation: CustomerRepresentation,
  scope: (scope) => customerScope(visibilityOf(scope)),
  represent: (rows) => rows.map((row) => customerBody(rowToCustomer(row as CustomerRow))),
};
