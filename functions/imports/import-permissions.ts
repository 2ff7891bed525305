import { resourcePermissions } from '../auth/permissions.js';

/**
 * Who imports: admins and managers, as for exports: a file rewrites records in bulk. Each row
 * is still checked with the roles of the import's creator, as a batch input would be.
 */
export const IMPORT_PERMISSIONS = resourcePermissions('imports', {
  run: ['admin', 'manager'],
});
