import type { Interaction } from '../../domain/interaction/interaction.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { LINK_TARGETS } from './link-targets.js';

/** The links under their API keys: every target's key is present (an empty list or null when nothing is linked). */
export function linksBody(interaction: Pick<Interaction, 'links'>): JsonObject {
  return Object.fromEntries(
    LINK_TARGETS.map((target) => {
      const ids = interaction.links.filter((link) => link.targetType === target.type).map((link) => link.targetId);
      return [target.field, target.many ? ids : (ids[0] ?? null)];
    }),
  );
}

/** An interaction as the API shows it. */
export function interactionBody(interaction: Interaction): JsonObject {
  return {
    id: interaction.id,
    type: interaction.type,
    occurred_at: interaction.occurredAt,
    direction: interaction.direction,
    subject: interaction.subject,
    body: interaction.body,
    duration_s: interaction.durationS,
    outcome: interaction.outcome,
    participants: interaction.participants.map((participant) => ({
      customer_id: participant.customerId,
      email: participant.email,
      name: participant.name,
      matched_by: participant.matchedBy,
    })),
    links: linksBody(interaction),
    owner_id: interaction.ownerId,
    source: interaction.source,
    external_id: interaction.externalId,
    version: interaction.version,
    created_at: interaction.createdAt,
    updated_at: interaction.updatedAt,
  };
}

export const etagOf = (interaction: Interaction): string => `"${interaction.version}"`;
