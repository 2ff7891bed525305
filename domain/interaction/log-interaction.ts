import { validationFailed, type DomainError, type FieldIssue } from '../errors.js';
import type { ChangeContext } from '../shared/domain-event.js';
import { parseEmail, type Email } from '../shared/email.js';
import { err, ok, type Result } from '../shared/result.js';
import { textProblem } from '../shared/text.js';
import type { Timestamp } from '../shared/timestamp.js';
import { linksByType, type Interaction, type InteractionSource, type LinkRef, type Participant } from './interaction.js';
import type { InteractionEvent } from './interaction.events.js';
import { readDuration, readExternalId, readText } from './interaction-fields.js';
import { typeRuleIssues, type Direction, type InteractionOutcome, type InteractionType } from './interaction-type-rules.js';

export const MAX_LINKS = 50;
export const MAX_PARTICIPANTS = 50;
export const MAX_PARTICIPANT_NAME_LENGTH = 200;
/** The target type of customers: participants who are customers are linked to it. */
export const CUSTOMER_TARGET = 'customer';

/** A participant as a caller names one: a customer by id, or a person by email (and name). */
export type ParticipantInput =
  | { readonly customerId: string; readonly email?: undefined; readonly name?: undefined }
  | { readonly customerId?: undefined; readonly email: string; readonly name?: string | null | undefined };

export interface NewInteractionInput {
  readonly type: InteractionType;
  readonly occurredAt: Timestamp;
  readonly direction?: Direction | null | undefined;
  readonly subject?: string | null | undefined;
  readonly body?: string | null | undefined;
  readonly durationS?: number | null | undefined;
  readonly outcome?: InteractionOutcome | null | undefined;
  readonly participants?: readonly ParticipantInput[] | undefined;
  readonly links: readonly LinkRef[];
  readonly ownerId: string;
  readonly source?: InteractionSource | undefined;
  readonly externalId?: string | null | undefined;
}

/** The participant emails of an input, parsed (the shell looks them up among live customers before logging). */
export function participantEmails(input: Pick<NewInteractionInput, 'participants'>): Email[] {
  return (input.participants ?? []).flatMap((participant) => {
    if (participant.email === undefined) return [];
    const parsed = parseEmail(participant.email);
    return parsed.ok ? [parsed.value] : [];
  });
}

/** An interaction links at least one record and at most MAX_LINKS. */
export function linkIssues(links: readonly LinkRef[]): FieldIssue[] {
  if (links.length === 0) {
    return [
      {
        field: 'links',
        message: 'link at least one record (links.customer_ids, company_id or deal_ids), or name a participant who is a customer',
      },
    ];
  }
  return links.length > MAX_LINKS ? [{ field: 'links', message: `link at most ${MAX_LINKS} records` }] : [];
}

/**
 * The links after replacing those of some target types (`company` → the new company, `deal` → the
 * new deals); links of other types stay.
 */
export function replaceLinks(current: readonly LinkRef[], types: readonly string[], replacement: readonly LinkRef[]): LinkRef[] {
  return normaliseLinks([...current.filter((link) => !types.includes(link.targetType)), ...replacement]);
}

const byTarget = (a: LinkRef, b: LinkRef) =>
  a.targetType === b.targetType ? (a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0) : a.targetType < b.targetType ? -1 : 1;

/** The links, each once, in a fixed order (target type, then id), so locks are always taken in the same order. */
export function normaliseLinks(links: readonly LinkRef[]): LinkRef[] {
  const seen = new Map(
    links.map((link) => [`${link.targetType}:${link.targetId.toLowerCase()}`, { ...link, targetId: link.targetId.toLowerCase() }]),
  );
  return [...seen.values()].sort(byTarget);
}

/**
 * Logs an interaction and the InteractionLogged event. `customersByEmail` holds the live customers
 * the caller may see whose email a participant gave: those participants are linked to them and the
 * customers join the links. Participants named by id join the links too.
 */
export function logInteraction(
  input: NewInteractionInput,
  context: ChangeContext & { readonly id: string; readonly customersByEmail: ReadonlyMap<string, string> },
): Result<{ interaction: Interaction; event: InteractionEvent }, DomainError> {
  const issues: FieldIssue[] = [];
  const participants = readParticipants(input.participants ?? [], context.customersByEmail, issues);
  const subject = readText('subject', input.subject, issues) ?? null;
  const body = readText('body', input.body, issues) ?? null;
  const durationS = readDuration(input.durationS, issues) ?? null;
  const externalId = input.externalId ?? null;
  const readExternal = externalId === null ? null : readExternalId(externalId);
  if (readExternal && !readExternal.ok) issues.push({ field: 'external_id', message: readExternal.error });
  const participantLinks = participants.flatMap((participant) =>
    participant.customerId === null ? [] : [{ targetType: CUSTOMER_TARGET, targetId: participant.customerId }],
  );
  const links = normaliseLinks([...input.links, ...participantLinks]);
  issues.push(...linkIssues(links));
  const typed = {
    type: input.type,
    occurredAt: input.occurredAt,
    direction: input.direction ?? null,
    durationS,
    outcome: input.outcome ?? null,
  };
  issues.push(...typeRuleIssues(typed, context.now));
  if (issues.length > 0) return err(validationFailed(issues));

  const interaction: Interaction = {
    id: context.id,
    ...typed,
    subject,
    body,
    participants,
    links,
    ownerId: input.ownerId,
    source: input.source ?? 'manual',
    externalId,
    version: 1,
    createdAt: context.now,
    updatedAt: context.now,
    deletedAt: null,
  };
  const event: InteractionEvent = {
    eventId: context.eventId,
    type: 'InteractionLogged',
    eventVersion: 1,
    aggregateType: 'interaction',
    aggregateId: interaction.id,
    aggregateVersion: 1,
    occurredAt: context.now,
    actor: context.actor,
    data: {
      interaction: {
        id: interaction.id,
        type: interaction.type,
        occurred_at: interaction.occurredAt,
        direction: interaction.direction,
        duration_s: interaction.durationS,
        outcome: interaction.outcome,
        owner_id: interaction.ownerId,
        source: interaction.source,
        links: linksByType(links),
        participant_customer_ids: participants.flatMap((participant) => (participant.customerId ? [participant.customerId] : [])),
        version: 1,
        created_at: interaction.createdAt,
      },
    },
  };
  return ok({ interaction, event });
}

function readParticipants(
  inputs: readonly ParticipantInput[],
  customersByEmail: ReadonlyMap<string, string>,
  issues: FieldIssue[],
): Participant[] {
  if (inputs.length > MAX_PARTICIPANTS) issues.push({ field: 'participants', message: `name at most ${MAX_PARTICIPANTS} participants` });
  return inputs.map((input, index) => {
    if (input.customerId !== undefined) {
      return { customerId: input.customerId.toLowerCase(), email: null, name: null, matchedBy: 'id' };
    }
    const email = parseEmail(input.email);
    if (!email.ok) issues.push({ field: `participants.${index}.email`, message: email.error });
    const name = input.name?.trim() || null;
    if (name !== null) {
      const problem = textProblem(name);
      if (problem) issues.push({ field: `participants.${index}.name`, message: `name ${problem}` });
      else if ([...name].length > MAX_PARTICIPANT_NAME_LENGTH) {
        issues.push({ field: `participants.${index}.name`, message: `name must be at most ${MAX_PARTICIPANT_NAME_LENGTH} characters` });
      }
    }
    const matched = email.ok ? (customersByEmail.get(email.value) ?? null) : null;
    return { customerId: matched, email: email.ok ? email.value : null, name, matchedBy: matched === null ? null : 'email' };
  });
}
