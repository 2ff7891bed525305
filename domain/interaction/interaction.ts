import type { AggregateRoot } from '../shared/aggregate-change.js';
import type { Email } from '../shared/email.js';
import type { JsonObject } from '../shared/json.js';
import type { Timestamp } from '../shared/timestamp.js';
import type { Direction, InteractionOutcome, InteractionType } from './interaction-type-rules.js';

export type { Timestamp } from '../shared/timestamp.js';

/** Where an interaction was recorded: by hand, or by a system that syncs it (with its own external id). */
export const INTERACTION_SOURCES = ['manual', 'email_sync', 'calendar_sync', 'phone_system', 'import'] as const;
export type InteractionSource = (typeof INTERACTION_SOURCES)[number];

/**
 * A record the interaction is about: a customer today; companies and deals plug in as further
 * target types (functions/interactions/link-targets.ts says where each lives).
 */
export interface LinkRef {
  readonly targetType: string;
  readonly targetId: string;
}

/**
 * Someone who took part: a customer (named by id, or found by the email given), or a person known
 * only by email and name. `matchedBy` says how the customer was found, so callers can see that an
 * email was linked to a customer.
 */
export interface Participant {
  readonly customerId: string | null;
  readonly email: Email | null;
  readonly name: string | null;
  readonly matchedBy: 'id' | 'email' | null;
}

/** A call, email, meeting or note about one or more records. */
export interface Interaction extends AggregateRoot {
  readonly type: InteractionType;
  readonly occurredAt: Timestamp;
  readonly direction: Direction | null;
  readonly subject: string | null;
  readonly body: string | null;
  readonly durationS: number | null;
  readonly outcome: InteractionOutcome | null;
  /** Fixed at creation. */
  readonly participants: readonly Participant[];
  /** Ordered by target type and id; customer links are fixed at creation, company and deal links may change. */
  readonly links: readonly LinkRef[];
  readonly ownerId: string;
  readonly source: InteractionSource;
  readonly externalId: string | null;
  readonly createdAt: Timestamp;
}

/**
 * The fields a change may set; participants, source and external id are fixed at creation, and so
 * are the customer links (participants name them). A change of links carries the whole new set.
 */
export type InteractionPatch = Partial<
  Pick<Interaction, 'type' | 'occurredAt' | 'direction' | 'subject' | 'body' | 'durationS' | 'outcome' | 'ownerId' | 'links' | 'deletedAt'>
>;
export type InteractionField = keyof InteractionPatch;

/** The public (API and event) name of every field a change may set. */
export const INTERACTION_PUBLIC_NAMES = {
  type: 'type',
  occurredAt: 'occurred_at',
  direction: 'direction',
  subject: 'subject',
  body: 'body',
  durationS: 'duration_s',
  outcome: 'outcome',
  ownerId: 'owner_id',
  links: 'links',
  deletedAt: 'deleted_at',
} as const satisfies Record<InteractionField, string>;

/** Personal content: it never leaves in an event, a change to it is recorded without its values. */
export const PERSONAL_FIELDS: readonly InteractionField[] = ['subject', 'body'];

/** Whether two link sets (each normalised: once each, in target order) name the same records. */
export function sameLinks(a: readonly LinkRef[], b: readonly LinkRef[]): boolean {
  return (
    a.length === b.length && a.every((link, index) => link.targetType === b[index]!.targetType && link.targetId === b[index]!.targetId)
  );
}

/** The links grouped by target type, as events and the API show them (`customer` → [ids]). */
export function linksByType(links: readonly LinkRef[]): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const link of links) (grouped[link.targetType] ??= []).push(link.targetId);
  return grouped;
}

/**
 * What every event of an interaction carries, from its state after the change: ids, type, time,
 * outcome and links, never subject, body or participant emails (personal content stays off the bus).
 */
export function interactionFacts(interaction: Interaction): JsonObject {
  return {
    interaction_type: interaction.type,
    occurred_at: interaction.occurredAt,
    outcome: interaction.outcome,
    owner_id: interaction.ownerId,
    links: linksByType(interaction.links),
  };
}
