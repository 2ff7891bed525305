export const ROLES = ['admin', 'manager', 'sales_rep', 'service', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'customers:read',
  'customers:create',
  'customers:update',
  'customers:delete',
  'customers:transition',
  'customers:assign',
  'customers:tier',
  'customers:tags',
  'customers:history',
  'events:read',
  'operations:readiness',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Who may do what: the one permission table. Sales reps are additionally scoped to the
 * customers assigned to them (see access.ts); `service` is a machine caller such as Order
 * Management, which reads customers and moves them through the lifecycle but does not own them.
 * `events:read` (the raw event log with delivery state) is an operator's right: admins only.
 * `operations:readiness` (does the database answer) is for operators and machine callers.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  manager: PERMISSIONS.filter((permission) => permission !== 'events:read'),
  sales_rep: [
    'customers:read',
    'customers:create',
    'customers:update',
    'customers:transition',
    'customers:assign',
    'customers:tier',
    'customers:tags',
    'customers:history',
  ],
  service: [
    'customers:read',
    'customers:create',
    'customers:update',
    'customers:transition',
    'customers:tags',
    'customers:history',
    'operations:readiness',
  ],
  viewer: ['customers:read', 'customers:history'],
};

/** Roles whose holders see and change only the customers assigned to them. */
export const OWNER_SCOPED_ROLES: readonly Role[] = ['sales_rep'];

export function rolesAllowed(permission: Permission): Role[] {
  return ROLES.filter((role) => ROLE_PERMISSIONS[role].includes(permission));
}
