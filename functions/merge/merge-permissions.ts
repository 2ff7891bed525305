import { resourcePermissions } from '../auth/permissions.js';

/** Merging and unmerging rewrite several records at once and free or take emails: managers and admins (docs/merge.md). */
export const MERGE_PERMISSIONS = resourcePermissions('merges', {
  merge: ['admin', 'manager'],
  unmerge: ['admin', 'manager'],
});
