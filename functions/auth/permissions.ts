export const ROLES = ['admin', 'manager', 'sales_rep', 'service', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles whose holders see and change only the records they own (a sales rep's customers, companies, deals). */
export const OWNER_SCOPED_ROLES: readonly Role[] = ['sales_rep'];

/** A right to do one thing to one kind of resource (`customers:read`) and the roles that hold it. */
export interface Permission {
  readonly name: `${string}:${string}`;
  readonly roles: readonly Role[];
  /**
   * Whether owner-scoped roles see only their own records of the resource (a sales rep's
   * customers) or all of them (pipelines are shared configuration).
   */
  readonly ownerScoped: boolean;
}

/**
 * The permissions of one resource, one entry per action: who may do what. Each aggregate (and
 * each other resource) declares its own small table; a route names the permission it needs.
 */
export function resourcePermissions<Action extends string>(
  resource: string,
  grants: Readonly<Record<Action, readonly Role[]>>,
  options: { readonly ownerScoped?: boolean } = {},
): Readonly<Record<Action, Permission>> {
  const entries = (Object.entries(grants) as [Action, readonly Role[]][]).map(([action, roles]) => {
    const unknown = roles.filter((role) => !ROLES.includes(role));
    if (unknown.length > 0) throw new Error(`${resource}:${action} grants unknown roles ${unknown.join(', ')}`);
    return [
      action,
      Object.freeze({
        name: `${resource}:${action}` as const,
        roles: ROLES.filter((role) => roles.includes(role)),
        ownerScoped: options.ownerScoped ?? true,
      }),
    ];
  });
  return Object.freeze(Object.fromEntries(entries)) as Record<Action, Permission>;
}
