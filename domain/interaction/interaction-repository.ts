import type { AggregateRepository } from '../shared/aggregate-repository.js';
import type { ChangeContext } from '../shared/domain-event.js';
import type { Interaction, InteractionSource, LinkRef, Timestamp } from './interaction.js';
import type { InteractionChange } from './interaction-change.js';
import type { InteractionEvent } from './interaction.events.js';
import type { Direction, InteractionOutcome, InteractionType } from './interaction-type-rules.js';

/**
 * Which interactions a caller may touch. Everyone else sees all; a sales rep (`repId`) reads those
 * they own or that link a record they can see, and changes only those they own. Interactions
 * outside it behave exactly like interactions that do not exist.
 */
export interface InteractionVisibility {
  readonly repId?: string | undefined;
  readonly access: 'read' | 'write';
}

/** What a stored external id (per source) names, as far as the caller may know. */
export type ExternalIdLookup =
  | { readonly kind: 'visible'; readonly interaction: Interaction }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'hidden' }
  | { readonly kind: 'none' };

/** Where the previous page ended: the time and id of its last interaction. */
export interface InteractionPosition {
  readonly occurredAt: Timestamp;
  readonly id: string;
}

export interface InteractionListQuery {
  /** Linked to this record (e.g. a customer). */
  readonly linked?: LinkRef | undefined;
  readonly type?: InteractionType | undefined;
  readonly ownerId?: string | undefined;
  readonly direction?: Direction | undefined;
  readonly outcome?: InteractionOutcome | undefined;
  readonly occurredFrom?: Timestamp | undefined;
  readonly occurredTo?: Timestamp | undefined;
  /** Case-insensitive substring of the subject. */
  readonly text?: string | undefined;
  readonly limit: number;
  readonly after?: InteractionPosition | undefined;
  readonly visibility: InteractionVisibility;
}

export interface InteractionPage {
  readonly interactions: readonly Interaction[];
  readonly next: InteractionPosition | null;
}

/** Persistence of interactions, their links and their event stream; every write one statement with its event. */
export interface InteractionRepository extends AggregateRepository<
  Interaction,
  InteractionChange,
  InteractionEvent,
  ChangeContext,
  InteractionVisibility
> {
  findByExternalId(source: InteractionSource, externalId: string, visibility: InteractionVisibility): Promise<ExternalIdLookup>;
  /** The links that name no live record the caller may see (why an insert was not applied). */
  missingLinks(links: readonly LinkRef[], visibility: InteractionVisibility): Promise<LinkRef[]>;
  list(query: InteractionListQuery): Promise<InteractionPage>;
}
