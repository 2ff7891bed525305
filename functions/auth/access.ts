import type { Actor } from '../http/actor.js';
import { OWNER_SCOPED_ROLES, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from './permissions.js';

/**
 * Roles come from the `roles` claim, falling back to Cognito's `cognito:groups`. API Gateway's
 * JWT authorizer hands array claims to the Lambda as a string like "[admin manager]", so both
 * that form and real arrays (the local server) are read.
 */
export function rolesOf(actor: Actor): Role[] {
  const claim = actor.claims.roles ?? actor.claims['cognito:groups'];
  const values = Array.isArray(claim) ? claim.map(String) : typeof claim === 'string' ? claim.replace(/^\[|\]$/g, '').split(/[\s,]+/) : [];
  return ROLES.filter((role) => values.includes(role));
}

/** What a caller may see: everything, or only the customers assigned to `ownerId`. */
export type AccessScope = { readonly kind: 'all' } | { readonly kind: 'owner'; readonly ownerId: string };

export type AccessDecision =
  | { readonly allowed: true; readonly scope: AccessScope; readonly roles: readonly Role[] }
  | { readonly allowed: false; readonly reason: 'unauthenticated' | 'forbidden'; readonly roles: readonly Role[] };

/**
 * Decides whether the caller may use a permission, and within which scope. A caller with any
 * unscoped role that grants it sees everything; one whose only granting roles are owner-scoped
 * sees their own customers.
 */
export function decideAccess(actor: Actor, permission: Permission): AccessDecision {
  const roles = rolesOf(actor);
  if (actor.id === 'anonymous') return { allowed: false, reason: 'unauthenticated', roles };
  const granting = roles.filter((role) => ROLE_PERMISSIONS[role].includes(permission));
  if (granting.length === 0) return { allowed: false, reason: 'forbidden', roles };
  const scoped = granting.every((role) => OWNER_SCOPED_ROLES.includes(role));
  return { allowed: true, roles, scope: scoped ? { kind: 'owner', ownerId: actor.id } : { kind: 'all' } };
}
