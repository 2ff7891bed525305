import { resourcePermissions } from '../auth/permissions.js';

/**
 * Pipelines are configuration: everyone who works with deals reads them; admins and managers
 * change them. Service callers (a storefront, billing) create deals, never pipelines.
 */
export const PIPELINE_PERMISSIONS = resourcePermissions(
  'pipelines',
  { read: ['admin', 'manager', 'sales_rep', 'service', 'viewer'], configure: ['admin', 'manager'] },
  { ownerScoped: false },
);
