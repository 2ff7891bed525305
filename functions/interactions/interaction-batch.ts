import * as z from 'zod';
import { validationFailed } from '../../domain/errors.js';
import type { Interaction, InteractionSource } from '../../domain/interaction/interaction.js';
import { readExternalId } from '../../domain/interaction/interaction-fields.js';
import { interactionNotFound } from '../../domain/interaction/interaction-errors.js';
import type { Precondition } from '../../domain/shared/aggregate-change.js';
import { err, ok } from '../../domain/shared/result.js';
import type { BatchObject } from '../batch/batch-object.js';
import type { SearchServices } from '../search/search-route.js';
import { INTERACTION_PERMISSIONS } from './interaction-permissions.js';
import { interactionBody } from './interaction-responses.js';
import { INTERACTION_SEARCH } from './interaction-search.js';
import { CreateInteractionBody, InteractionRepresentation, UpdateInteractionBody } from './interaction.schemas.js';
import { deleteById, logFromBody, updateFromBody, type InteractionRouteServices } from './interactions.routes.js';

/** What an interaction is logged from when the input names no source (POST /interactions's default). */
const DEFAULT_SOURCE: InteractionSource = 'manual';

/**
 * An upsert's key as one string: the source, then the external id exactly as given (a source is a
 * slug without ':', so the first ':' separates them). idx_interactions_external compares the pair.
 */
const externalKey = (source: InteractionSource, externalId: string) => `${source}:${externalId}`;
const splitExternalKey = (key: string) => {
  const at = key.indexOf(':');
  return { source: key.slice(0, at) as InteractionSource, externalId: key.slice(at + 1) };
};

/** A fixed field an upsert input names must be what the interaction holds: it is not changed, and not silently ignored. */
const fixedAs = (field: 'source' | 'externalId', name: string, value: string): Precondition<Interaction> => ({
  field,
  oneOf: [value],
  refusal: (interaction) =>
    validationFailed([
      {
        field: name,
        message: `${name} is fixed when the interaction is logged; this one has ${name} ${JSON.stringify(interaction[field])}`,
      },
    ]),
});

type UpsertFields = z.infer<typeof UpdateInteractionBody> & { source?: InteractionSource; external_id?: string };

/**
 * Interactions in batches: each input is POST /interactions, PUT /interactions/{id} or DELETE
 * /interactions/{id} (same schemas, owner rules, scope and events). A create with a source and
 * external_id that exist already answers that interaction `unchanged`, as POST does. An upsert
 * sets what both a create and PUT accept (participants and customer links are fixed when an
 * interaction is logged, so an upsert links through company_id and deal_ids only); it matches on
 * `id` or on `external_id` with its `source` (default manual), compared exactly as the unique
 * index does (not trimmed, case counts).
 */
export const INTERACTION_BATCH: BatchObject<
  InteractionRouteServices & SearchServices,
  Interaction,
  z.infer<typeof CreateInteractionBody>,
  UpsertFields
> = {
  search: INTERACTION_SEARCH,
  permissions: {
    create: INTERACTION_PERMISSIONS.log,
    update: INTERACTION_PERMISSIONS.update,
    read: INTERACTION_PERMISSIONS.read,
    archive: INTERACTION_PERMISSIONS.delete,
  },
  // The owner is not a permission of its own: a sales rep may name only themselves (the routes' owner rule).
  fieldPermissions: {},
  createItem: CreateInteractionBody,
  updateItem: UpdateInteractionBody,
  upsertItem: UpdateInteractionBody.extend({
    type: CreateInteractionBody.shape.type,
    occurred_at: CreateInteractionBody.shape.occurred_at,
    source: CreateInteractionBody.shape.source,
    external_id: CreateInteractionBody.shape.external_id,
  }),
  upsertKeys: ['id', 'external_id'],
  keyTaken: { external_id: 'INTERACTION.EXTERNAL_ID_TAKEN' },
  representation: InteractionRepresentation,
  errors: [
    'INTERACTION.NOT_FOUND',
    'INTERACTION.NOT_OWNER',
    'INTERACTION.VERSION_MISMATCH',
    'INTERACTION.EXTERNAL_ID_TAKEN',
    'CUSTOMER.NOT_FOUND',
    'COMPANY.NOT_FOUND',
    'DEAL.NOT_FOUND',
  ],
  normaliseKey(key, value, input) {
    if (key === 'id') return z.uuid().safeParse(value).success ? ok(String(value).toLowerCase()) : err('must be a UUID');
    if (typeof value !== 'string') return err('must be a string');
    const externalId = readExternalId(value);
    if (!externalId.ok) return externalId;
    return ok(externalKey((input['source'] as InteractionSource | undefined) ?? DEFAULT_SOURCE, externalId.value));
  },
  // Found among the interactions the caller may read: one they read but do not own is then NOT_OWNER, as on PUT.
  async findIdByKey(services, key, value, { scope }) {
    const visibility = { repId: scope.kind === 'owner' ? scope.ownerId : undefined, access: 'read' as const };
    if (key === 'id') {
      const found = await services.interactions.get(value, visibility);
      return found.ok ? found.value.id : null;
    }
    const { source, externalId } = splitExternalKey(value);
    return services.interactions.idByExternalId(source, externalId, visibility);
  },
  async create(services, input, caller) {
    const logged = await logFromBody(services.interactions, input, caller);
    if (!logged.ok) return logged;
    return ok({ status: logged.value.created ? 'created' : 'unchanged', entity: logged.value.interaction });
  },
  async update(services, id, input, expectedVersion, caller) {
    const { source, external_id: externalId, ...fields } = input;
    const requires = [
      ...(source === undefined ? [] : [fixedAs('source', 'source', source)]),
      ...(externalId === undefined ? [] : [fixedAs('externalId', 'external_id', externalId)]),
    ];
    const outcome = await updateFromBody(services.interactions, id, fields, caller, expectedVersion, requires);
    if (!outcome.ok) return outcome;
    return ok({ status: outcome.value.kind === 'changed' ? 'updated' : 'unchanged', entity: outcome.value.entity });
  },
  async archive(services, id, expectedVersion, caller) {
    const outcome = await deleteById(services.interactions, id, caller, expectedVersion);
    return outcome.ok ? ok({ status: 'archived', entity: outcome.value.entity }) : outcome;
  },
  identity: ({ id, version }) => ({ id, version }),
  body: (entity) => interactionBody(entity),
  notFound: interactionNotFound,
};
