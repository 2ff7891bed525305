import * as z from 'zod';
import { validationFailed, type DomainError } from '../../domain/errors.js';
import type { Interaction, LinkRef } from '../../domain/interaction/interaction.js';
import * as commands from '../../domain/interaction/interaction-commands.js';
import type { InteractionVisibility } from '../../domain/interaction/interaction-repository.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import type { AccessScope } from '../auth/access.js';
import { clientHasCurrent, expectedTagFrom } from '../http/conditional-requests.js';
import { encodePageCursor } from '../http/clean-input.js';
import type { ApiError } from '../http/http-errors.js';
import { noContent, success, type HttpResponse } from '../http/responses.js';
import { BASE_PATH, defineRoute, type Route, type RouteRequest } from '../http/route.js';
import { INTERACTION_PERMISSIONS } from './interaction-permissions.js';
import { etagOf, interactionBody } from './interaction-responses.js';
import type { InteractionService, Logged } from './interaction-service.js';
import type { ChangeOutcome } from '../../domain/interaction/interaction-change.js';
import type { Precondition } from '../../domain/shared/aggregate-change.js';
import {
  CreateInteractionBody,
  FIXED_FIELD_HINTS,
  InteractionIdParams,
  InteractionRepresentation,
  ListInteractionsQuery,
  UpdateInteractionBody,
} from './interaction.schemas.js';
import { LINK_TARGETS } from './link-targets.js';

export interface InteractionRouteServices {
  readonly interactions: InteractionService;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const fieldError = (field: string, message: string): DomainError => validationFailed([{ field, message }]);

/** A sales rep reads what they own or what links a record they see, and changes what they own; everyone else all. */
const repOf = (scope: AccessScope): string | undefined => (scope.kind === 'owner' ? scope.ownerId : undefined);
const readVisibility = (scope: AccessScope): InteractionVisibility => ({ repId: repOf(scope), access: 'read' });

/**
 * The owner of a new or changed interaction: the caller by default; a sales rep may name only
 * themselves. A caller whose subject is not a user id must name one.
 */
function ownerFor(scope: AccessScope, actorId: string, requested: string | undefined): Result<string | undefined, ApiError> {
  if (scope.kind === 'owner' && requested !== undefined && requested.toLowerCase() !== scope.ownerId) {
    return err({
      code: 'FORBIDDEN',
      message: 'Sales reps can make only themselves the owner of an interaction.',
      details: { field: 'owner_id', allowed_value: scope.ownerId },
    });
  }
  return ok(requested?.toLowerCase() ?? (UUID.test(actorId) ? actorId.toLowerCase() : undefined));
}

const interactionResponse = (statusCode: number, interaction: Interaction, headers: Record<string, string> = {}): HttpResponse =>
  success(statusCode, interactionBody(interaction), { headers: { etag: etagOf(interaction), ...headers } });

const VERSION_MISMATCH: ApiError = { code: 'INTERACTION.VERSION_MISMATCH', message: 'If-Match names another version of the interaction.' };

/** The links of a create body as link references (target type and id). */
function linksOf(links: Record<string, string | string[] | null | undefined> | undefined): LinkRef[] {
  return LINK_TARGETS.flatMap((target) => {
    const value = links?.[target.field];
    const ids = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
    return ids.map((targetId) => ({ targetType: target.type, targetId }));
  });
}

/** Who runs a use case: the caller and their scope (a route's request, or a batch input's caller). */
interface InteractionCaller {
  readonly actor: { readonly id: string };
  readonly scope: AccessScope;
}

/**
 * A create body as POST /interactions takes it (each input of POST /interactions/batch/create and
 * of an upsert that creates runs through here): the owner rule, then the log use case, which
 * answers an existing interaction with the same source and external_id unchanged (`created: false`).
 */
export async function logFromBody(
  interactions: InteractionService,
  body: z.infer<typeof CreateInteractionBody>,
  { actor, scope }: InteractionCaller,
): Promise<Result<Logged, ApiError>> {
  const owner = ownerFor(scope, actor.id, body.owner_id);
  if (!owner.ok) return owner;
  if (owner.value === undefined) return err(fieldError('owner_id', 'your token subject is not a user id, so name the owner (a user id)'));
  return interactions.log(
    {
      type: body.type,
      occurredAt: body.occurred_at,
      direction: body.direction,
      subject: body.subject,
      body: body.body,
      durationS: body.duration_s,
      outcome: body.outcome,
      participants: body.participants?.map((participant) =>
        'customer_id' in participant ? { customerId: participant.customer_id } : { email: participant.email, name: participant.name },
      ),
      links: linksOf(body.links as Record<string, string | string[] | null | undefined> | undefined),
      ownerId: owner.value,
      source: body.source,
      externalId: body.external_id,
    },
    actor.id,
    { repId: repOf(scope), access: 'write' },
  );
}

/**
 * The change of PUT /interactions/{id} (and of each input of POST /interactions/batch/update):
 * the owner rule, the fields given, and the company and deal links given replace those links.
 * `requires` adds preconditions of the caller (a batch upsert's fixed key).
 */
export async function updateFromBody(
  interactions: InteractionService,
  id: string,
  body: z.infer<typeof UpdateInteractionBody>,
  { actor, scope }: InteractionCaller,
  expectedVersion: number | undefined,
  requires?: readonly Precondition<Interaction>[],
): Promise<Result<ChangeOutcome, ApiError>> {
  const owner = ownerFor(scope, actor.id, body.owner_id);
  if (!owner.ok) return owner;
  const given = body.links as Record<string, string | string[] | null | undefined> | undefined;
  const relinked = LINK_TARGETS.filter((target) => given?.[target.field] !== undefined);
  return interactions.update(
    id,
    {
      type: body.type,
      occurredAt: body.occurred_at,
      direction: body.direction,
      subject: body.subject,
      body: body.body,
      durationS: body.duration_s,
      outcome: body.outcome,
      ownerId: body.owner_id === undefined ? undefined : owner.value,
    },
    relinked.length === 0 ? undefined : { types: relinked.map((target) => target.type), links: linksOf(given) },
    actor.id,
    { repId: repOf(scope), expectedVersion, requires },
  );
}

/** DELETE /interactions/{id} (and each input of POST /interactions/batch/archive): a soft delete by the owner, a manager or an admin. */
export const deleteById = (interactions: InteractionService, id: string, { actor, scope }: InteractionCaller, expectedVersion?: number) =>
  interactions.change(id, (now) => commands.deleteInteraction(now), actor.id, { repId: repOf(scope), expectedVersion });

export const interactionRoutes: readonly Route<any, any, any, InteractionRouteServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/interactions',
    group: 'api-write',
    operationId: 'logInteraction',
    summary: 'Log a call, email, meeting or note (the same source and external_id again answers the existing one with 200)',
    permission: INTERACTION_PERMISSIONS.log,
    body: { schema: CreateInteractionBody, required: true },
    response: {
      status: 201,
      data: InteractionRepresentation,
      headers: ['etag', 'location'],
      alternative: {
        status: 200,
        description: 'An interaction with this source and external_id exists already: it is answered unchanged.',
      },
    },
    errors: ['CUSTOMER.NOT_FOUND', 'COMPANY.NOT_FOUND', 'DEAL.NOT_FOUND', 'INTERACTION.EXTERNAL_ID_TAKEN'],
    handle: async ({ body, actor, scope }, services: InteractionRouteServices) => {
      const logged = await logFromBody(services.interactions, body, { actor, scope });
      if (!logged.ok) return logged.error;
      const { interaction, created } = logged.value;
      return created
        ? interactionResponse(201, interaction, { location: `${BASE_PATH}/interactions/${interaction.id}` })
        : interactionResponse(200, interaction);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/interactions',
    group: 'api-read',
    operationId: 'listInteractions',
    summary: 'List interactions, newest first, with filters and a keyset cursor',
    permission: INTERACTION_PERMISSIONS.read,
    query: ListInteractionsQuery,
    response: { status: 200, data: z.array(InteractionRepresentation), paginated: true },
    handle: async ({ query, scope }, services: InteractionRouteServices) => {
      const filters = LINK_TARGETS.flatMap((target) => {
        const id = (query as Record<string, unknown>)[`${target.type}_id`];
        return typeof id === 'string' ? [{ targetType: target.type, targetId: id }] : [];
      });
      if (filters.length > 1) return fieldError(`${filters[1]!.targetType}_id`, 'filter by one linked record at a time');
      const page = await services.interactions.list({
        linked: filters[0],
        type: query.type,
        ownerId: query.owner_id,
        direction: query.direction,
        outcome: query.outcome,
        occurredFrom: query.occurred_from,
        occurredTo: query.occurred_to,
        text: query.q,
        limit: query.limit,
        after: query.cursor,
        visibility: readVisibility(scope),
      });
      return success(200, page.interactions.map(interactionBody), {
        pagination: { limit: query.limit, next_cursor: page.next ? encodePageCursor({ t: page.next.occurredAt, i: page.next.id }) : null },
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/interactions/{id}',
    group: 'api-read',
    operationId: 'getInteraction',
    summary: 'Get an interaction by id',
    permission: INTERACTION_PERMISSIONS.read,
    params: InteractionIdParams,
    response: { status: 200, data: InteractionRepresentation, headers: ['etag'] },
    errors: ['INTERACTION.NOT_FOUND'],
    conditional: 'if-none-match',
    handle: async (request, services: InteractionRouteServices) => {
      const found = await services.interactions.get(request.params.id, readVisibility(request.scope));
      if (!found.ok) return found.error;
      const etag = etagOf(found.value);
      return clientHasCurrent(request.headers, etag) ? { statusCode: 304, headers: { etag } } : interactionResponse(200, found.value);
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/interactions/{id}',
    group: 'api-write',
    operationId: 'updateInteraction',
    summary: 'Change type, time, direction, subject, body, duration, outcome, owner, company or deal links (owner, managers, admins)',
    permission: INTERACTION_PERMISSIONS.update,
    params: InteractionIdParams,
    body: { schema: UpdateInteractionBody, required: true, hints: FIXED_FIELD_HINTS },
    response: { status: 200, data: InteractionRepresentation, headers: ['etag'] },
    errors: ['INTERACTION.NOT_FOUND', 'INTERACTION.NOT_OWNER', 'INTERACTION.VERSION_MISMATCH', 'COMPANY.NOT_FOUND', 'DEAL.NOT_FOUND'],
    conditional: 'if-match',
    handle: async (request, services: InteractionRouteServices) => {
      const expected = expectedTagFrom(request.headers, VERSION_MISMATCH);
      if (!expected.ok) return expected.error;
      const outcome = await updateFromBody(services.interactions, request.params.id, request.body, request, expected.value?.version);
      return outcome.ok ? interactionResponse(200, outcome.value.entity) : outcome.error;
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/interactions/{id}',
    group: 'api-write',
    operationId: 'deleteInteraction',
    summary: 'Delete an interaction (owner, managers, admins); last_interaction_at of what it linked is recomputed',
    permission: INTERACTION_PERMISSIONS.delete,
    params: InteractionIdParams,
    response: { status: 204 },
    errors: ['INTERACTION.NOT_FOUND', 'INTERACTION.NOT_OWNER', 'INTERACTION.VERSION_MISMATCH'],
    conditional: 'if-match',
    handle: async (request, services: InteractionRouteServices) => {
      const expected = expectedTagFrom(request.headers, VERSION_MISMATCH);
      if (!expected.ok) return expected.error;
      const outcome = await deleteById(services.interactions, request.params.id, request, expected.value?.version);
      return outcome.ok ? noContent() : outcome.error;
    },
  }),
];
