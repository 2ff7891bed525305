import { INTERACTION_SOURCES } from '../../domain/interaction/interaction.js';
import { DIRECTIONS, INTERACTION_OUTCOMES, INTERACTION_TYPES } from '../../domain/interaction/interaction-type-rules.js';
import type { AccessScope } from '../auth/access.js';
import type { SearchableObject } from '../search/searchable-object.js';
import { interactionScope } from './interaction-repository.js';
import { interactionBody } from './interaction-responses.js';
import { InteractionRepresentation } from './interaction.schemas.js';
import { INTERACTIONS, rowToInteraction, type InteractionRow } from './interaction-table.js';

/** The list route's read scope: a sales rep reads what they own or what links a record they see. */
const readScope = (scope: AccessScope) =>
  interactionScope({ repId: scope.kind === 'owner' ? scope.ownerId : undefined, access: 'read' }, INTERACTIONS);

/** Interactions as search (and later batch, import and export) see them. */
export const INTERACTION_SEARCH: SearchableObject = {
  name: 'interactions',
  table: INTERACTIONS,
  properties: {
    id: { type: 'uuid', column: 'id' },
    type: { type: 'enum', column: 'type', values: INTERACTION_TYPES },
    occurred_at: { type: 'datetime', column: 'occurred_at' },
    direction: { type: 'enum', column: 'direction', values: DIRECTIONS, nullable: true },
    subject: { type: 'string', column: 'subject', nullable: true },
    body: { type: 'string', column: 'body', nullable: true, sortable: false },
    duration_s: { type: 'number', column: 'duration_s', sqlType: 'integer', nullable: true },
    outcome: { type: 'enum', column: 'outcome', values: INTERACTION_OUTCOMES, nullable: true },
    owner_id: { type: 'uuid', column: 'owner_id' },
    source: { type: 'enum', column: 'source', values: INTERACTION_SOURCES },
    external_id: { type: 'string', column: 'external_id', nullable: true },
    version: { type: 'number', column: 'version', sqlType: 'integer' },
    created_at: { type: 'datetime', column: 'created_at' },
    updated_at: { type: 'datetime', column: 'updated_at' },
  },
  textColumns: ['subject', 'body'],
  defaultSorts: [{ property: 'occurred_at', direction: 'desc' }],
  representation: InteractionRepresentation,
  scope: readScope,
  represent: (rows) => rows.map((row) => interactionBody(rowToInteraction(row as InteractionRow))),
};
