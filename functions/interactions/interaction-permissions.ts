import { resourcePermissions } from '../auth/permissions.js';

/**
 * Who may do what to interactions. Sales reps log interactions on records they can see and read
 * those they own or that link a record they can see; changing and deleting is for the owner,
 * managers and admins. `service` is a machine caller (mail, calendar or phone sync) that logs and reads.
 */
export const INTERACTION_PERMISSIONS = resourcePermissions('interactions', {
  read: ['admin', 'manager', 'sales_rep', 'service', 'viewer'],
  log: ['admin', 'manager', 'sales_rep', 'service'],
  update: ['admin', 'manager', 'sales_rep'],
  delete: ['admin', 'manager', 'sales_rep'],
});
