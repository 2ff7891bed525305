import type { Actor } from '../http/actor.js';
import { textProblem } from '../../domain/shared/text.js';
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

/** What a caller may see: everything, or only the customers assigned to `ownerId` (a UUID, lower-case). */
export type AccessScope = { readonly kind: 'all' } | { readonly kind: 'owner'; readonly ownerId: string };

export type AccessDenial =
  /** No token, or a subject that cannot be an identity (empty, over 255 characters, unclean text). */
  | 'unauthenticated'
  | 'forbidden'
  /** Only owner-scoped roles grant it, and the subject is not an Identity user id. */
  | 'subject_not_uuid';

export type AccessDecision =
  | { readonly allowed: true; readonly scope: AccessScope; readonly roles: readonly Role[] }
  | { readonly allowed: false; readonly reason: AccessDenial; readonly roles: readonly Role[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_SUBJECT_LENGTH = 255;

/** Whether the subject can stand for a caller: stored as the actor of events and the owner of idempotency keys. */
function usableSubject(id: string): boolean {
  return id !== 'anonymous' && id.length <= MAX_SUBJECT_LENGTH && textProblem(id) === null;
}

/**
 * Decides whether the caller may use a permission, and within which scope. A caller with any
 * unscoped role that grants it sees everything; one whose only granting roles are owner-scoped
 * sees their own customers. Subjects are opaque text (`auth0|123` is fine as an actor), except
 * for an owner scope: its owner is compared with uuid columns, so it must be an Identity user id.
 */
export function decideAccess(actor: Actor, permission: Permission): AccessDecision {
  const roles = rolesOf(actor);
  if (!usableSubject(actor.id)) return { allowed: false, reason: 'unauthenticated', roles };
  const granting = roles.filter((role) => ROLE_PERMISSIONS[role].includes(permission));
  if (granting.length === 0) return { allowed: false, reason: 'forbidden', roles };
  const scoped = granting.every((role) => OWNER_SCOPED_ROLES.includes(role));
  if (!scoped) return { allowed: true, roles, scope: { kind: 'all' } };
  if (!UUID.test(actor.id)) return { allowed: false, reason: 'subject_not_uuid', roles };
  return { allowed: true, roles, scope: { kind: 'owner', ownerId: actor.id.toLowerCase() } };
}
