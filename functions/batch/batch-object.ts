import type * as z from 'zod';
import type { JsonObject } from '../../domain/shared/json.js';
import type { Result } from '../../domain/shared/result.js';
import type { AccessScope } from '../auth/access.js';
import type { Permission } from '../auth/permissions.js';
import type { Actor } from '../http/actor.js';
import type { ApiError, ErrorCode } from '../http/http-errors.js';
import type { SearchableObject } from '../search/searchable-object.js';

/** Who runs a batch item: the same facts a single-record route gets. */
export interface BatchCaller {
  readonly actor: Actor;
  readonly scope: AccessScope;
}

/** What a write did to one record: created it, changed it, found nothing to change, or archived it. */
export type WriteStatus = 'created' | 'updated' | 'unchanged' | 'archived';

export interface ItemWrite<Entity> {
  readonly status: WriteStatus;
  readonly entity: Entity;
}

/**
 * One object as the batch routes see it: a thin adapter over the object's own single-record
 * service and schemas, so a batch item obeys exactly the rules (validation, domain rules, unique
 * checks, scope, events) of the route it stands for. Nothing here re-states a rule.
 */
export interface BatchObject<S, Entity, Create, Update> {
  /** The path segment (`customers`) and the search declaration `batch/read` runs through (one statement). */
  readonly search: SearchableObject<S>;
  readonly permissions: {
    readonly create: Permission;
    readonly update: Permission;
    readonly read: Permission;
    readonly archive: Permission;
  };
  /** A create item's fields that need a permission of their own, as on the single create route. */
  readonly fieldPermissions: Readonly<Record<string, Permission>>;
  /** The single routes' bodies: create, update (an update item adds `id` and `if_match`). */
  readonly createItem: z.ZodObject;
  readonly updateItem: z.ZodObject;
  /** An upsert item: what both a create and an update of the object accept (the fields of its PUT plus what a create requires). */
  readonly upsertItem: z.ZodObject;
  /** The unique keys an upsert can match on; `id` is always one. */
  readonly upsertKeys: readonly [string, ...string[]];
  /** The error a create answers when another record holds the key: an upsert that meets it lost a race, and updates instead. */
  readonly keyTaken: Readonly<Record<string, ErrorCode>>;
  /** The record's representation (the single routes'). */
  readonly representation: z.ZodObject;
  /** The error codes its single-record routes answer (documented per item). */
  readonly errors: readonly ErrorCode[];
  /**
   * A unique key's value normalised exactly as its unique index compares it (the domain's own
   * parser: lower-cased email, a URL reduced to its domain, a trimmed external id), or why it is
   * invalid. `input` is the whole input, for a key the index compares together with another field
   * (an interaction's external_id is unique per source).
   */
  normaliseKey(key: string, value: unknown, input: Readonly<Record<string, unknown>>): Result<string, string>;
  /** The id of the live record the caller may see that holds this (normalised) key, if any. */
  findIdByKey(services: S, key: string, value: string, caller: BatchCaller): Promise<string | null>;
  /**
   * Its create route: `created`, or `unchanged` with the record that exists already when the
   * create is idempotent by a key (an interaction's source and external_id).
   */
  create(services: S, input: Create, caller: BatchCaller): Promise<Result<ItemWrite<Entity>, ApiError>>;
  /** Applies the fields of its PUT route; `expectedVersion` is the item's if_match. */
  update(
    services: S,
    id: string,
    input: Update,
    expectedVersion: number | undefined,
    caller: BatchCaller,
  ): Promise<Result<ItemWrite<Entity>, ApiError>>;
  /** Its DELETE route: a soft delete. */
  archive(services: S, id: string, expectedVersion: number | undefined, caller: BatchCaller): Promise<Result<ItemWrite<Entity>, ApiError>>;
  /** The record's id and version (a deal comes with its pipeline). */
  identity(entity: Entity): { readonly id: string; readonly version: number };
  /** The representation of a record, as its single routes answer it. */
  body(entity: Entity, services: S): JsonObject;
  notFound(id: string): ApiError;
}
