import { resourcePermissions } from '../auth/permissions.js';

/**
 * Who may do what to companies: the same roles as for customers. Sales reps change the companies
 * they own and read those plus the companies of the customers assigned to them (see
 * company-repository.ts); `service` (a machine caller) reads and syncs companies but does not own them.
 */
export const COMPANY_PERMISSIONS = resourcePermissions('companies', {
  read: ['admin', 'manager', 'sales_rep', 'service', 'viewer'],
  history: ['admin', 'manager', 'sales_rep', 'service', 'viewer'],
  create: ['admin', 'manager', 'sales_rep', 'service'],
  update: ['admin', 'manager', 'sales_rep', 'service'],
  tags: ['admin', 'manager', 'sales_rep', 'service'],
  assign: ['admin', 'manager', 'sales_rep'],
  delete: ['admin', 'manager'],
});
