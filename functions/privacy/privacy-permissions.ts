import { resourcePermissions } from '../auth/permissions.js';

/** Erasing a person and exporting everything held about them are admin acts (GDPR requests), see docs/privacy.md. */
export const PRIVACY_PERMISSIONS = resourcePermissions('privacy', {
  erase: ['admin'],
  export: ['admin'],
});
