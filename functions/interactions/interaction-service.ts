import type { CustomerRepository } from '../../domain/customer/customer-repository.js';
import type { DomainError } from '../../domain/errors.js';
import type { Interaction } from '../../domain/interaction/interaction.js';
import { INTERACTION_KIND, type ChangeOutcome, type InteractionChange } from '../../domain/interaction/interaction-change.js';
import { interactionNotFound } from '../../domain/interaction/interaction-errors.js';
import type {
  InteractionListQuery,
  InteractionPage,
  InteractionRepository,
  InteractionVisibility,
} from '../../domain/interaction/interaction-repository.js';
import { logInteraction, participantEmails, type NewInteractionInput } from '../../domain/interaction/log-interaction.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { createAggregateService, type AfterCommit, type ChangeBuilder } from '../kit/aggregate-service.js';
import { linkTarget } from './link-targets.js';

export interface InteractionServiceDependencies {
  readonly interactions: InteractionRepository;
  /** Participant emails are looked up among the customers the caller may see. */
  readonly customers: Pick<CustomerRepository, 'findIdsByEmails'>;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly afterCommit?: AfterCommit | undefined;
}

/** A logged interaction, or the one its external id already names (`created: false`, answered 200). */
export interface Logged {
  readonly interaction: Interaction;
  readonly created: boolean;
}

// An insert refused by its guard is explained by reading again; if nothing explains it (a linked
// record came back between the two statements), the insert is simply tried again.
const MAX_LOG_ATTEMPTS = 3;

/** Interaction use cases: log (idempotent per external id), read, list, change and delete. */
export function createInteractionService(deps: InteractionServiceDependencies) {
  const kit = createAggregateService({
    kind: INTERACTION_KIND,
    repository: deps.interactions,
    now: deps.now,
    newId: deps.newId,
    afterCommit: deps.afterCommit,
    notFound: interactionNotFound,
    conflict: async (field) => {
      throw new Error(`interactions have no unique rule a change can break (${field})`);
    },
  });

  /** Why an insert was not applied: its external id is known, or a link names nothing the caller sees. */
  async function refusal(interaction: Interaction, visibility: InteractionVisibility): Promise<Result<Logged, DomainError> | null> {
    if (interaction.externalId !== null) {
      const known = await deps.interactions.findByExternalId(interaction.source, interaction.externalId, visibility);
      if (known.kind === 'visible') return ok({ interaction: known.interaction, created: false });
      if (known.kind !== 'none') {
        return err({
          code: 'INTERACTION.EXTERNAL_ID_TAKEN',
          message:
            known.kind === 'deleted'
              ? `The interaction with external_id ${interaction.externalId} from ${interaction.source} was deleted; it is not logged again.`
              : `Another interaction from ${interaction.source} already has external_id ${interaction.externalId}.`,
          details: { field: 'external_id', source: interaction.source },
        });
      }
    }
    const [missing] = await deps.interactions.missingLinks(interaction.links, visibility);
    if (!missing) return null;
    const target = linkTarget(missing.targetType);
    const error = target.notFound(missing.targetId);
    return err({ ...error, details: { ...error.details, field: `links.${target.field}`, id: missing.targetId } });
  }

  return {
    /**
     * Logs an interaction: participants' emails are matched to customers the caller sees, then the
     * interaction, its links and its event are one statement (which also advances last_interaction_at).
     */
    async log(
      input: Omit<NewInteractionInput, 'ownerId'> & { readonly ownerId: string },
      actor: string,
      visibility: InteractionVisibility,
    ): Promise<Result<Logged, DomainError>> {
      const emails = participantEmails(input);
      const customersByEmail =
        emails.length === 0 ? new Map<string, string>() : await deps.customers.findIdsByEmails(emails, { assignedTo: visibility.repId });
      for (let attempt = 1; attempt <= MAX_LOG_ATTEMPTS; attempt++) {
        const { eventId, now } = kit.context(actor);
        const logged = logInteraction(input, { eventId, now, actor, id: deps.newId(), customersByEmail });
        if (!logged.ok) return logged;
        const { interaction, event } = logged.value;
        const inserted = await deps.interactions.insert(interaction, event, visibility);
        if (inserted.kind === 'inserted') {
          await deps.afterCommit?.([event]);
          return ok({ interaction, created: true });
        }
        const explained = await refusal(interaction, visibility);
        if (explained) return explained;
      }
      throw new Error(`interaction insert kept being refused without a reason; gave up after ${MAX_LOG_ATTEMPTS} attempts`);
    },

    get: (id: string, visibility: InteractionVisibility) => kit.get(id, { ...visibility, access: 'read' }),

    list: (query: InteractionListQuery): Promise<InteractionPage> => deps.interactions.list(query),

    /**
     * Applies a change for the owner, managers and admins (with If-Match, only at the version they
     * saw). A sales rep who can see the interaction but does not own it is told so (403), not 404.
     */
    async change(
      id: string,
      build: ChangeBuilder<Interaction, InteractionChange['event'], keyof InteractionChange['set']>,
      actor: string,
      options: { readonly repId?: string | undefined; readonly expectedVersion?: number | undefined },
    ): Promise<Result<ChangeOutcome, DomainError>> {
      const changed = await kit.change(id, build, actor, {
        scope: { repId: options.repId, access: 'write' },
        expectedVersion: options.expectedVersion,
      });
      if (changed.ok || changed.error.code !== 'INTERACTION.NOT_FOUND' || options.repId === undefined) return changed;
      const readable = await deps.interactions.findById(id, { repId: options.repId, access: 'read' });
      if (!readable) return changed;
      return err({
        code: 'INTERACTION.NOT_OWNER',
        message: 'Only the interaction’s owner, managers and admins may change or delete it.',
        details: { owner_id: readable.ownerId },
      });
    },
  };
}

export type InteractionService = ReturnType<typeof createInteractionService>;
