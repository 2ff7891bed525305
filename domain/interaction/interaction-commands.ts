import { validationFailed, type DomainError, type FieldIssue } from '../errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { InteractionPatch, LinkRef, Timestamp } from './interaction.js';
import type { InteractionChange } from './interaction-change.js';
import { readDuration, readText } from './interaction-fields.js';
import { linkIssues } from './log-interaction.js';
import type { Direction, InteractionOutcome, InteractionType } from './interaction-type-rules.js';

/** What PUT /interactions/{id} may change; participants, customer links, source and external id are fixed at creation. */
export interface InteractionUpdateInput {
  readonly type?: InteractionType | undefined;
  readonly occurredAt?: Timestamp | undefined;
  readonly direction?: Direction | null | undefined;
  readonly subject?: string | null | undefined;
  readonly body?: string | null | undefined;
  readonly durationS?: number | null | undefined;
  readonly outcome?: InteractionOutcome | null | undefined;
  readonly ownerId?: string | undefined;
  /** The whole new link set (the service merges a request's company and deal links into the current ones). */
  readonly links?: readonly LinkRef[] | undefined;
}

/** The fields given, checked one by one; whether they fit the type together is the invariant's job (INTERACTION_KIND). */
export function updateInteraction(input: InteractionUpdateInput): Result<InteractionChange, DomainError> {
  const issues: FieldIssue[] = [];
  const set: { -readonly [K in keyof InteractionPatch]: InteractionPatch[K] } = {};
  if (input.type !== undefined) set.type = input.type;
  if (input.occurredAt !== undefined) set.occurredAt = input.occurredAt;
  if (input.direction !== undefined) set.direction = input.direction;
  if (input.subject !== undefined) set.subject = readText('subject', input.subject, issues);
  if (input.body !== undefined) set.body = readText('body', input.body, issues);
  if (input.durationS !== undefined) set.durationS = readDuration(input.durationS, issues);
  if (input.outcome !== undefined) set.outcome = input.outcome;
  if (input.ownerId !== undefined) set.ownerId = input.ownerId;
  if (input.links !== undefined) {
    set.links = input.links;
    issues.push(...linkIssues(input.links));
  }
  if (Object.keys(set).length === 0) {
    issues.push({
      field: 'request',
      message: 'give at least one of type, occurred_at, direction, subject, body, duration_s, outcome, owner_id, links',
    });
  }
  return issues.length > 0 ? err(validationFailed(issues)) : ok({ event: 'InteractionUpdated', set });
}

export function deleteInteraction(now: Timestamp): InteractionChange {
  return { event: 'InteractionDeleted', set: { deletedAt: now } };
}
