import * as z from 'zod';
import { INTERACTION_SOURCES } from '../../domain/interaction/interaction.js';
import type { InteractionEventType } from '../../domain/interaction/interaction.events.js';
import { DIRECTIONS, INTERACTION_OUTCOMES, INTERACTION_TYPES } from '../../domain/interaction/interaction-type-rules.js';
import { becomes, change, timestamp, uuid } from '../events/contract-fields.js';
import { aggregateEventContracts } from '../events/event-contracts.js';

/**
 * The published contracts of the interaction stream (`interaction_id`, `interaction_version`).
 * They carry ids, type, times, outcome and links, never subject, body or participants' emails
 * and names: personal content stays off the bus (a change to subject or body is `{"changed": true}`).
 */

const type = z.enum(INTERACTION_TYPES);
const outcome = z.enum(INTERACTION_OUTCOMES).nullable();
const links = z
  .record(z.string().regex(/^[a-z_]+$/), z.array(uuid).min(1))
  .describe('the linked records by target type: {"customer": [ids], "company": [id], "deal": [ids]}, types without links left out');
const changedOnly = z.strictObject({ changed: z.literal(true) }).describe('personal content changed; its values are not published');

/** What every change event carries beside its changes: the interaction as it now is. */
const facts = {
  interaction_type: type,
  occurred_at: timestamp,
  outcome,
  owner_id: uuid,
  links,
};

const InteractionRecord = z.strictObject({
  id: uuid,
  type,
  occurred_at: timestamp,
  direction: z.enum(DIRECTIONS).nullable(),
  duration_s: z.int().min(0).nullable(),
  outcome,
  owner_id: uuid,
  source: z.enum(INTERACTION_SOURCES),
  links,
  participant_customer_ids: z.array(uuid).describe('participants who are customers (named by id, or matched by email)'),
  version: z.literal(1),
  created_at: timestamp,
});

const updateChanges = z
  .strictObject({
    type: change(type).optional(),
    occurred_at: change(timestamp).optional(),
    direction: change(z.enum(DIRECTIONS).nullable()).optional(),
    subject: changedOnly.optional(),
    body: changedOnly.optional(),
    duration_s: change(z.int().min(0).nullable()).optional(),
    outcome: change(outcome).optional(),
    owner_id: change(uuid).optional(),
    links: change(links).describe('company or deal links replaced').optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, 'at least one field changes');

/** What each event type's `data` holds; a new event type fails to compile until it has a contract. */
export const interactionEventContracts = aggregateEventContracts<InteractionEventType>('interaction', {
  InteractionLogged: {
    version: 1,
    description: 'A call, email, meeting or note was logged. data.interaction holds its ids, type, times, outcome and links.',
    data: z.strictObject({ interaction: InteractionRecord }),
  },
  InteractionUpdated: {
    version: 1,
    description:
      'An interaction changed; data.changes holds only what changed (subject and body without values), with the interaction as it now is.',
    data: z.strictObject({ changes: updateChanges, ...facts }),
  },
  InteractionDeleted: {
    version: 1,
    description: 'An interaction was deleted; last_interaction_at of what it linked was recomputed.',
    data: z.strictObject({ changes: z.strictObject({ deleted_at: becomes(z.null(), timestamp) }), ...facts }),
  },
});
