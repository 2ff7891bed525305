import { resourcePermissions } from '../auth/permissions.js';

/** The raw event log with delivery state is an operator's window: admins only. */
export const EVENT_PERMISSIONS = resourcePermissions('events', { read: ['admin'] });
