import * as z from 'zod';
import { deleteDeal } from '../../domain/deal/deal-commands.js';
import { DealFieldValidator } from '../../domain/deal/deal-fields.js';
import { dealNotFound } from '../../domain/deal/deal-errors.js';
import { err, ok } from '../../domain/shared/result.js';
import type { BatchObject } from '../batch/batch-object.js';
import { idByProperty } from '../batch/find-by-property.js';
import type { SearchServices } from '../search/search-route.js';
import { DEAL_PERMISSIONS } from './deal-permissions.js';
import type { DealWithPipeline } from './deal-repository.js';
import { dealBody } from './deal-responses.js';
import { DEAL_SEARCH } from './deal-search.js';
import { CreateDealBody, DealRepresentation, UpdateDealBody } from './deal.schemas.js';
import { callerOf, createDealFromBody, dealUpdateFromBody, type DealRouteServices } from './deals.routes.js';

/**
 * Deals in batches: each input is POST /deals, PUT /deals/{id} or DELETE /deals/{id} (same schemas,
 * commands, scope and events). Stages, owner, tags and contacts keep their own routes; an upsert
 * sets what PUT accepts (a new deal starts in its default pipeline's first open stage, in EUR
 * unless a create input names the currency).
 */
export const DEAL_BATCH: BatchObject<
  DealRouteServices & SearchServices,
  DealWithPipeline,
  z.infer<typeof CreateDealBody>,
  z.infer<typeof UpdateDealBody>
> = {
  search: DEAL_SEARCH,
  permissions: {
    create: DEAL_PERMISSIONS.create,
    update: DEAL_PERMISSIONS.update,
    read: DEAL_PERMISSIONS.read,
    archive: DEAL_PERMISSIONS.delete,
  },
  fieldPermissions: {
    owner_id: DEAL_PERMISSIONS.assign,
    tags: DEAL_PERMISSIONS.tags,
    contacts: DEAL_PERMISSIONS.contacts,
    stage: DEAL_PERMISSIONS.stage,
  },
  createItem: CreateDealBody,
  updateItem: UpdateDealBody,
  upsertItem: UpdateDealBody.extend({ name: CreateDealBody.shape.name }),
  upsertKeys: ['id', 'external_id'],
  keyTaken: { external_id: 'DEAL.EXTERNAL_ID_TAKEN' },
  representation: DealRepresentation,
  errors: [
    'DEAL.NOT_FOUND',
    'DEAL.VERSION_MISMATCH',
    'DEAL.BUSY',
    'DEAL.UNKNOWN_PIPELINE',
    'DEAL.UNKNOWN_STAGE',
    'DEAL.USE_CLOSE_COMMAND',
    'DEAL.UNKNOWN_CUSTOMER',
    'DEAL.EXTERNAL_ID_TAKEN',
  ],
  normaliseKey(key, value) {
    if (key === 'id') return z.uuid().safeParse(value).success ? ok(String(value).toLowerCase()) : err('must be a UUID');
    if (typeof value !== 'string') return err('must be a string');
    // The unique index holds external ids as the deal's own field rule leaves them: trimmed.
    const fields = new DealFieldValidator();
    const checked = fields.result(fields.externalId(value) ?? '');
    return checked.ok ? ok(checked.value) : err(checked.error.message);
  },
  async findIdByKey(services, key, value, caller) {
    if (key === 'external_id') return idByProperty(services.db, DEAL_SEARCH, 'external_id', value, caller.scope);
    const found = await services.deals.get(value, callerOf(caller).visibility);
    return found.ok ? found.value.deal.id : null;
  },
  async create(services, input, caller) {
    const created = await createDealFromBody(services.deals, input, caller);
    return created.ok ? ok({ status: 'created', entity: created.value }) : created;
  },
  async update(services, id, input, expectedVersion, caller) {
    const change = dealUpdateFromBody(input);
    if (!change.ok) return change;
    const outcome = await services.deals.apply(id, () => change, callerOf(caller), expectedVersion);
    if (!outcome.ok) return outcome;
    const { deal, pipeline, event } = outcome.value;
    return ok({ status: event ? 'updated' : 'unchanged', entity: { deal, pipeline } });
  },
  async archive(services, id, expectedVersion, caller) {
    const outcome = await services.deals.apply(id, (now) => ok(deleteDeal(now)), callerOf(caller), expectedVersion);
    if (!outcome.ok) return outcome;
    return ok({ status: 'archived', entity: { deal: outcome.value.deal, pipeline: outcome.value.pipeline } });
  },
  identity: ({ deal }) => ({ id: deal.id, version: deal.version }),
  body: ({ deal, pipeline }, services) => dealBody(deal, pipeline, services.deals.now()),
  notFound: dealNotFound,
};
