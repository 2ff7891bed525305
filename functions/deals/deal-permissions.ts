import { resourcePermissions } from '../auth/permissions.js';

/**
 * Who may do what to deals. Sales reps are scoped to the deals they own; `service` is a machine
 * caller (a storefront or billing system) that creates and updates deals but does not own them.
 */
export const DEAL_PERMISSIONS = resourcePermissions('deals', {
  read: ['admin', 'manager', 'sales_rep', 'service', 'viewer'],
  create: ['admin', 'manager', 'sales_rep', 'service'],
  update: ['admin', 'manager', 'sales_rep', 'service'],
  stage: ['admin', 'manager', 'sales_rep', 'service'],
  tags: ['admin', 'manager', 'sales_rep', 'service'],
  contacts: ['admin', 'manager', 'sales_rep', 'service'],
  assign: ['admin', 'manager', 'sales_rep'],
  delete: ['admin', 'manager'],
});
