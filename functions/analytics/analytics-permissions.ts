import { resourcePermissions } from '../auth/permissions.js';

/**
 * Who may see and run the analytics. Admins, managers and viewers read every analytic and report; a sales rep reads the
 * insights of the customers assigned to them only (owner scope, as for customers); only admins start and follow runs.
 */
export const ANALYTICS_PERMISSIONS = resourcePermissions('analytics', {
  read: ['admin', 'manager', 'viewer'],
  insights: ['admin', 'manager', 'sales_rep', 'viewer'],
  run: ['admin'],
});

export const REPORT_PERMISSIONS = resourcePermissions('reports', {
  read: ['admin', 'manager', 'viewer'],
});
