import type { FieldIssue } from '../errors.js';
import type { Timestamp } from '../shared/timestamp.js';

export const INTERACTION_TYPES = ['call', 'email', 'meeting', 'note'] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const CALL_OUTCOMES = ['connected', 'no_answer', 'left_voicemail', 'busy', 'wrong_number'] as const;
export const MEETING_OUTCOMES = ['scheduled', 'completed', 'rescheduled', 'no_show', 'canceled'] as const;
export const INTERACTION_OUTCOMES = [...CALL_OUTCOMES, ...MEETING_OUTCOMES] as const;
export type InteractionOutcome = (typeof INTERACTION_OUTCOMES)[number];

type Presence = 'required' | 'allowed' | 'forbidden';

/** What one type of interaction allows: a field's presence, the outcomes it may have, which outcomes mean no contact took place. */
export interface TypeRule {
  readonly direction: Presence;
  readonly durationS: Presence;
  readonly outcomes: readonly InteractionOutcome[];
  /** Outcomes that say the contact did not (yet) happen: such an interaction does not advance last_interaction_at. */
  readonly noContact: readonly InteractionOutcome[];
  /** Outcomes whose interaction may lie in the future (a meeting that is still to come). */
  readonly future: readonly InteractionOutcome[];
}

/** The field rules of each type, read as the spec states them. The migration's checks mirror this table. */
export const TYPE_RULES: Readonly<Record<InteractionType, TypeRule>> = {
  call: { direction: 'required', durationS: 'allowed', outcomes: CALL_OUTCOMES, noContact: [], future: [] },
  email: { direction: 'required', durationS: 'forbidden', outcomes: [], noContact: [], future: [] },
  meeting: {
    direction: 'forbidden',
    durationS: 'allowed',
    outcomes: MEETING_OUTCOMES,
    noContact: ['scheduled', 'rescheduled', 'no_show', 'canceled'],
    future: ['scheduled'],
  },
  note: { direction: 'forbidden', durationS: 'forbidden', outcomes: [], noContact: [], future: [] },
};

export const MAX_SUBJECT_LENGTH = 500;
export const MAX_BODY_LENGTH = 65_536;
/** A day: longer calls and meetings are typing mistakes. */
export const MAX_DURATION_S = 86_400;

/** The type-dependent fields of an interaction, as a change would leave them. */
export interface TypedFields {
  readonly type: InteractionType;
  readonly occurredAt: Timestamp;
  readonly direction: Direction | null;
  readonly durationS: number | null;
  readonly outcome: InteractionOutcome | null;
}

const names = { direction: 'direction', durationS: 'duration_s' } as const;

/** Every way the fields break their type's rules (empty when they keep them); `now` decides what is in the future. */
export function typeRuleIssues(fields: TypedFields, now: Timestamp): FieldIssue[] {
  const rule = TYPE_RULES[fields.type];
  const issues: FieldIssue[] = [];
  const allowedTypes = (field: 'direction' | 'durationS') =>
    Object.entries(TYPE_RULES)
      .filter(([, candidate]) => candidate[field] !== 'forbidden')
      .map(([type]) => `${type}s`)
      .join(' and ');
  for (const field of ['direction', 'durationS'] as const) {
    const present = fields[field] !== null;
    if (rule[field] === 'required' && !present) issues.push({ field: names[field], message: `a ${fields.type} needs ${names[field]}` });
    if (rule[field] === 'forbidden' && present) {
      issues.push({ field: names[field], message: `only ${allowedTypes(field)} have ${names[field]}; a ${fields.type} has none` });
    }
  }
  if (fields.outcome !== null && !rule.outcomes.includes(fields.outcome)) {
    issues.push({
      field: 'outcome',
      message:
        rule.outcomes.length === 0 ? `a ${fields.type} has no outcome` : `a ${fields.type}'s outcome is one of ${rule.outcomes.join(', ')}`,
    });
  }
  if (fields.occurredAt > now && (fields.outcome === null || !rule.future.includes(fields.outcome))) {
    issues.push({ field: 'occurred_at', message: 'only a meeting with outcome scheduled may lie in the future' });
  }
  return issues;
}

/** Whether the interaction is contact that took place, and so advances last_interaction_at of what it links. */
export function countsAsContact(fields: Pick<TypedFields, 'type' | 'outcome'>): boolean {
  return fields.outcome === null || !TYPE_RULES[fields.type].noContact.includes(fields.outcome);
}
