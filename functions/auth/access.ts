import type { Actor } from '../http/actor.js';
import type { ApiError } from '../http/http-errors.js';
import { textProblem } from '../../domain/shared/text.js';
import { OWNER_SCOPED_ROLES, ROLES, type Permission, type Role } from './permissions.js';

/**
 * Roles come from the `roles` claim, falling back to Cognito's `cognito:groups`, and only a value
 * that is exactly a known role name counts (`viewer,admin`, `super admin`, `Admin` grant nothing).
 * API Gateway's JWT authorizer hands array claims to the Lambda flattened, `[a b]`: elements
 * joined by one space. Cognito group names cannot contain white space, so each token of a
 * flattened `cognito:groups` is one group. `roles` values can, so `[super admin]` may be one
 * value: a flattened `roles` claim counts only when every token is a known role name, else it
 * grants nothing. Real arrays (the raw JWT) count element by element; any other string is one value.
 */
export function rolesOf(actor: Actor): Role[] {
  const fromRoles = actor.claims.roles !== undefined;
  const values = claimValues(fromRoles ? actor.claims.roles : actor.claims['cognito:groups'], fromRoles ? 'roles' : 'cognito:groups');
  return ROLES.filter((role) => values.includes(role));
}

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

function claimValues(claim: Actor['claims'][string] | undefined, name: 'roles' | 'cognito:groups'): readonly string[] {
  if (Array.isArray(claim)) return claim.filter((value) => typeof value === 'string');
  if (typeof claim !== 'string') return [];
  const flattened = /^\[(.*)\]$/s.exec(claim);
  if (!flattened) return [claim];
  const tokens = flattened[1]!.split(' ');
  if (name === 'cognito:groups') return tokens;
  return tokens.every(isRole) ? tokens : [];
}

/** What a caller may see: everything, or only the customers assigned to `ownerId` (a UUID, lower-case). */
export type AccessScope = { readonly kind: 'all' } | { readonly kind: 'owner'; readonly ownerId: string };

/**
 * An owner-scoped caller (a sales rep) may make only themselves the owner or assignee of a record:
 * the 403 naming the field and the one value allowed, or null when the value is theirs (or the
 * caller is not owner-scoped). `message` says it in the object's words.
 */
export function onlySelfRefused(
  scope: AccessScope,
  value: string | null | undefined,
  refusal: { readonly field: string; readonly message: string },
): ApiError | null {
  if (scope.kind !== 'owner' || value === scope.ownerId) return null;
  return { code: 'FORBIDDEN', message: refusal.message, details: { field: refusal.field, allowed_value: scope.ownerId } };
}

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
  const granting = roles.filter((role) => permission.roles.includes(role));
  if (granting.length === 0) return { allowed: false, reason: 'forbidden', roles };
  const scoped = granting.every((role) => OWNER_SCOPED_ROLES.includes(role));
  if (!scoped) return { allowed: true, roles, scope: { kind: 'all' } };
  if (!UUID.test(actor.id)) return { allowed: false, reason: 'subject_not_uuid', roles };
  return { allowed: true, roles, scope: { kind: 'owner', ownerId: actor.id.toLowerCase() } };
}
