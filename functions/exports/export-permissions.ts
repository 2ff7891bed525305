import { resourcePermissions } from '../auth/permissions.js';

/**
 * Who exports: admins and managers, who see every record anyway. An export is a copy of the whole
 * book leaving the system, so sales reps (who see only their own records) and viewers do not
 * export; a rep's own records stay reachable page by page through search.
 */
export const EXPORT_PERMISSIONS = resourcePermissions('exports', {
  run: ['admin', 'manager'],
});
