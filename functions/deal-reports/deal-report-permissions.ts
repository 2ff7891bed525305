import { resourcePermissions } from '../auth/permissions.js';

/**
 * Who reads the deal reports. Admins, managers and viewers see every deal; a sales rep sees the
 * figures of their own deals only (owner scope: `owner_id = caller` is part of every report's
 * statement). Service callers (a storefront, a billing system) write deals but read no reports:
 * the figures are for people deciding about sales, and a machine that needs them has the list.
 */
export const DEAL_REPORT_PERMISSIONS = resourcePermissions('deal-reports', {
  read: ['admin', 'manager', 'sales_rep', 'viewer'],
});
