import { err, ok, type Result } from '../../domain/shared/result.js';
import { decideAccess } from '../auth/access.js';
import type { ApiError } from '../http/http-errors.js';
import type { BatchCaller, BatchObject, ItemWrite } from './batch-object.js';
import type { PlannedItem } from './batch-runner.js';

/**
 * How one input of a batch becomes a planned item (its targets and the single-record use case
 * that carries it out): shared by the batch routes and the CSV import, so a row of a file obeys
 * exactly the rules of the batch input it stands for.
 */
export function batchPlanner<S, Entity, Create, Update>(object: BatchObject<S, Entity, Create, Update>) {
  /** A field of a create input that needs its own permission, refused per input as the single route refuses it. */
  const forbiddenField = (input: Record<string, unknown>, caller: BatchCaller): ApiError | null => {
    for (const [field, permission] of Object.entries(object.fieldPermissions)) {
      if (input[field] === undefined) continue;
      const decision = decideAccess(caller.actor, permission);
      if (!decision.allowed) {
        return {
          code: 'FORBIDDEN',
          message: `Your roles (${decision.roles.join(', ') || 'none'}) do not allow ${permission.name}, which setting ${field} needs.`,
          details: { field, required_permission: permission.name },
        };
      }
    }
    return null;
  };

  /** An upsert input that would create needs the create permission, as POST /{object} does. */
  const forbidden = (): ApiError => ({
    code: 'FORBIDDEN',
    message: `Your roles do not allow ${object.permissions.create.name}, which an upsert that creates needs.`,
    details: { required_permission: object.permissions.create.name },
  });

  const takenCodes = new Set<string>(Object.values(object.keyTaken));

  return {
    forbiddenField,

    /** The normalised unique keys of an input (`email:ada@example.com`): two inputs sharing one aim at one record. */
    keysOf(input: Record<string, unknown>): string[] {
      return object.upsertKeys
        .filter((key) => key !== 'id' && input[key] !== undefined && input[key] !== null)
        .flatMap((key) => {
          const normalised = object.normaliseKey(key, input[key], input);
          return normalised.ok ? [`${key}:${normalised.value}`] : [];
        });
    },

    /** POST /{object} for one input. */
    create(index: number, input: Record<string, unknown>, targets: readonly string[], caller: BatchCaller): PlannedItem<S, Entity> {
      return { index, targets, run: forbiddenField(input, caller) ?? ((on) => object.create(on, input as Create, caller)) };
    },

    /** PUT /{object}/{id} for one input. */
    update(
      index: number,
      id: string,
      fields: Record<string, unknown>,
      ifMatch: number | undefined,
      caller: BatchCaller,
    ): PlannedItem<S, Entity> {
      return { index, targets: [`id:${id.toLowerCase()}`], run: (on) => object.update(on, id, fields as Update, ifMatch, caller) };
    },

    /**
     * The record holding `key` = the input's value is updated; without one it is created (unless
     * `createMissing` is false: then the input fails as the record's NOT_FOUND). `invalid` words
     * the error of a missing or malformed key.
     */
    upsert(
      index: number,
      key: string,
      input: Record<string, unknown>,
      caller: BatchCaller,
      options: { readonly createMissing: boolean; readonly invalid: (message: string) => ApiError },
    ): PlannedItem<S, Entity> {
      const { id: _id, if_match, ...fields } = input as { id?: string; if_match?: number } & Record<string, unknown>;
      if (input[key] === undefined || input[key] === null) {
        return { index, targets: [], run: options.invalid(`is required to match on ${key}`) };
      }
      const value = object.normaliseKey(key, input[key], input);
      if (!value.ok) return { index, targets: [], run: options.invalid(value.error) };
      const upsert = async (on: S): Promise<Result<ItemWrite<Entity>, ApiError>> => {
        const existing = key === 'id' ? value.value : await object.findIdByKey(on, key, value.value, caller);
        if (existing !== null) return object.update(on, existing, fields as Update, if_match, caller);
        // Ids are the service's to give: an id that names nothing is not created.
        if (key === 'id' || if_match !== undefined || !options.createMissing) {
          return err(object.notFound(key === 'id' ? value.value : `${key} ${value.value}`));
        }
        const refused =
          forbiddenField(fields, caller) ?? (decideAccess(caller.actor, object.permissions.create).allowed ? null : forbidden());
        if (refused) return err(refused);
        const made = await object.create(on, fields as Create, caller);
        // An idempotent create found the record another writer made after the lookup: update it.
        if (made.ok && made.value.status !== 'created') {
          return object.update(on, object.identity(made.value.entity).id, fields as Update, if_match, caller);
        }
        if (made.ok || !takenCodes.has(made.error.code)) return made;
        // Another writer may have created the record between the lookup and the insert (its insert
        // can meet any of the unique keys first, e.g. the email of an upsert by external_id): if
        // the match key finds a record now, update it instead; otherwise the clash is real.
        const raced = await object.findIdByKey(on, key, value.value, caller);
        return raced === null ? made : object.update(on, raced, fields as Update, if_match, caller);
      };
      return { index, targets: [`${key}:${value.value}`], run: upsert };
    },
  };
}
