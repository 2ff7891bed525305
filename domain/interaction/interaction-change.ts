import { validationFailed, type DomainError } from '../errors.js';
import { decideChange, type AggregateChange, type AggregateKind, type ChangeOutcome as Outcome } from '../shared/aggregate-change.js';
import type { ChangeContext } from '../shared/domain-event.js';
import type { Result } from '../shared/result.js';
import {
  INTERACTION_PUBLIC_NAMES,
  interactionFacts,
  PERSONAL_FIELDS,
  sameLinks,
  type Interaction,
  type InteractionField,
} from './interaction.js';
import { linkIssues } from './log-interaction.js';
import type { InteractionEvent, InteractionEventType } from './interaction.events.js';
import { typeRuleIssues } from './interaction-type-rules.js';

/** A change to an existing interaction: the fields it sets and its event. */
export type InteractionChange = AggregateChange<Interaction, InteractionEventType, InteractionField>;
export type ChangeOutcome = Outcome<Interaction, InteractionEvent>;

/** What the change core needs to know about interactions. */
export const INTERACTION_KIND: AggregateKind<Interaction, InteractionField> = {
  type: 'interaction',
  publicNames: INTERACTION_PUBLIC_NAMES,
  personal: PERSONAL_FIELDS,
  eventFacts: interactionFacts,
  versionMismatch: (expected, interaction) => ({
    code: 'INTERACTION.VERSION_MISMATCH',
    message: `The interaction was changed since version ${expected}; it is now at version ${interaction.version}. Read it again and retry.`,
    details: { current_version: interaction.version },
  }),
  sameValue: { links: sameLinks },
  // The type's field rules hold for the interaction as the change leaves it (a call turned into a
  // note loses its direction), and it still links at least one record.
  invariant: (next) => {
    const issues = [...typeRuleIssues(next, next.updatedAt), ...linkIssues(next.links)];
    return issues.length === 0 ? null : validationFailed(issues);
  },
};

/** Decides a change against the current interaction: the new state and its event, no-op, or why not. */
export function applyChange(
  interaction: Interaction,
  change: InteractionChange,
  context: ChangeContext,
): Result<ChangeOutcome, DomainError> {
  return decideChange(INTERACTION_KIND, interaction, change, context);
}
