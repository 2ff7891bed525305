import { resourcePermissions } from '../auth/permissions.js';

/**
 * Who may do what to customers. Sales reps are scoped to the customers assigned to them (see
 * auth/access.ts); `service` is a machine caller such as Order Management, which reads customers
 * and moves them through the lifecycle but does not own them.
 */
export const CUSTOMER_PERMISSIONS = resourcePermissions('customers', {
  read: ['admin', 'manager', 'sales_rep', 'service', 'viewer'],
  history: ['admin', 'manager', 'sales_rep', 'service', 'viewer'],
  create: ['admin', 'manager', 'sales_rep', 'service'],
  update: ['admin', 'manager', 'sales_rep', 'service'],
  transition: ['admin', 'manager', 'sales_rep', 'service'],
  tags: ['admin', 'manager', 'sales_rep', 'service'],
  assign: ['admin', 'manager', 'sales_rep'],
  tier: ['admin', 'manager', 'sales_rep'],
  delete: ['admin', 'manager'],
});
