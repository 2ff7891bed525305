import * as z from 'zod';
import type { BatchObject } from '../batch/batch-object.js';
import { COMPANY_BATCH } from '../companies/company-batch.js';
import { CUSTOMER_BATCH } from '../customers/customer-batch.js';
import { DEAL_BATCH } from '../deals/deal-batch.js';
import { INTERACTION_BATCH } from '../interactions/interaction-batch.js';
import type { ImportMode, ImportObjectName } from './import-store.js';

/** What an import writes through: each object's batch adapter (the single routes' schemas, rules and events). */
export const IMPORT_OBJECTS: Readonly<Record<ImportObjectName, BatchObject<any, any, any, any>>> = {
  customers: CUSTOMER_BATCH,
  companies: COMPANY_BATCH,
  deals: DEAL_BATCH,
  interactions: INTERACTION_BATCH,
};

const uuid = z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' });

/**
 * The schema a row is validated with, by mode: a create row is a POST /{object} body, an update
 * row a PUT /{object}/{id} body, an upsert row a batch upsert input — plus the key it is matched
 * on (`id` is no field of those bodies; ids are the service's to give, so only a match on `id` reads one).
 */
export function rowSchema(object: BatchObject<any, any, any, any>, mode: ImportMode, matchOn: string | null): z.ZodObject {
  const base = mode === 'create' ? object.createItem : mode === 'update' ? object.updateItem : object.upsertItem;
  if (matchOn === null || matchOn in base.shape) return base;
  return base.extend({ [matchOn]: matchOn === 'id' ? uuid : z.unknown() });
}

/** The properties a column can be mapped to, for this object and mode. */
export function importableProperties(object: BatchObject<any, any, any, any>, mode: ImportMode, matchOn: string | null): string[] {
  return Object.keys(rowSchema(object, mode, matchOn).shape);
}

/** The key an update or upsert matches on when the request names none: the object's first key other than `id`. */
export function defaultMatchKey(object: BatchObject<any, any, any, any>): string {
  return object.upsertKeys.find((key) => key !== 'id') ?? 'id';
}
