import type { CustomerRepository } from '../../domain/customer/customer-repository.js';
import type { DomainError } from '../../domain/errors.js';
import type { Interaction, InteractionSource, LinkRef } from '../../domain/interaction/interaction.js';
import * as commands from '../../domain/interaction/interaction-commands.js';
import type { InteractionUpdateInput } from '../../domain/interaction/interaction-commands.js';
import { INTERACTION_KIND, type ChangeOutcome, type InteractionChange } from '../../domain/interaction/interaction-change.js';
import { interactionNotFound } from '../../domain/interaction/interaction-errors.js';
import type {
  InteractionListQuery,
  InteractionPage,
  InteractionRepository,
  InteractionVisibility,
} from '../../domain/interaction/interaction-repository.js';
import { logInteraction, participantEmails, replaceLinks, type NewInteractionInput } from '../../domain/interaction/log-interaction.js';
import type { Precondition } from '../../domain/shared/aggregate-change.js';
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

/** Replace the links of these target types (e.g. `company`, `deal`) with these. */
export interface Relink {
  readonly types: readonly string[];
  readonly links: readonly LinkRef[];
}

interface ChangeOptions {
  readonly repId?: string | undefined;
  readonly expectedVersion?: number | undefined;
  /** Preconditions the caller adds to the change (checked in its statement, e.g. a batch upsert's fixed key). */
  readonly requires?: readonly Precondition<Interaction>[] | undefined;
}

// A replacement of links lost to a concurrent writer is built again; each loss means another writer won.
const MAX_RELINK_ATTEMPTS = 5;

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
    // The only rule a change can break is a link to a record that is missing or not the caller's to see.
    conflict: async (field) => {
      const [, type, id] = field.split(':');
      if (!type || !id) throw new Error(`interactions have no unique rule a change can break (${field})`);
      return linkNotFound({ targetType: type, targetId: id });
    },
  });

  /** The 404 of a linked record that is missing or not visible, naming the link field. */
  function linkNotFound(link: LinkRef): DomainError {
    const target = linkTarget(link.targetType);
    const error = target.notFound(link.targetId);
    return { ...error, details: { ...error.details, field: `links.${target.field}`, id: link.targetId } };
  }

  /** The 403 for a sales rep who sees the interaction but does not own it; null when they do not see it. */
  async function notOwner(id: string, repId: string): Promise<DomainError | null> {
    const readable = await deps.interactions.findById(id, { repId, access: 'read' });
    if (!readable) return null;
    return {
      code: 'INTERACTION.NOT_OWNER',
      message: 'Only the interaction’s owner, managers and admins may change or delete it.',
      details: { owner_id: readable.ownerId },
    };
  }

  /**
   * Applies a change for the owner, managers and admins (with If-Match, only at the version they
   * saw). A sales rep who can see the interaction but does not own it is told so (403), not 404.
   */
  async function change(
    id: string,
    build: ChangeBuilder<Interaction, InteractionChange['event'], keyof InteractionChange['set']>,
    actor: string,
    options: ChangeOptions,
  ): Promise<Result<ChangeOutcome, DomainError>> {
    const { requires } = options;
    const guarded: typeof build = requires?.length
      ? (now) => {
          const built = build(now);
          const guard = (change: InteractionChange): InteractionChange => ({
            ...change,
            requires: [...requires, ...(change.requires ?? [])],
          });
          return 'ok' in built ? (built.ok ? ok(guard(built.value)) : built) : guard(built);
        }
      : build;
    const changed = await kit.change(id, guarded, actor, {
      scope: { repId: options.repId, access: 'write' },
      expectedVersion: options.expectedVersion,
    });
    if (changed.ok || changed.error.code !== 'INTERACTION.NOT_FOUND' || options.repId === undefined) return changed;
    return err((await notOwner(id, options.repId)) ?? changed.error);
  }

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
    return missing ? err(linkNotFound(missing)) : null;
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

    /** The id of the live interaction the caller may read that has this source and external id (exactly), if any. */
    async idByExternalId(source: InteractionSource, externalId: string, visibility: InteractionVisibility): Promise<string | null> {
      const known = await deps.interactions.findByExternalId(source, externalId, visibility);
      return known.kind === 'visible' ? known.interaction.id : null;
    },

    list: (query: InteractionListQuery): Promise<InteractionPage> => deps.interactions.list(query),

    change,

    /**
     * Changes fields and, when `relink` is given, replaces the links of those target types (company,
     * deals) with the ones given, keeping the others. The new link set is built from the stored one
     * and written only at the version it was built from; if another writer got in between (and the
     * caller did not pin a version with If-Match), it is built again from the fresh state.
     */
    async update(
      id: string,
      input: InteractionUpdateInput,
      relink: Relink | undefined,
      actor: string,
      options: ChangeOptions,
    ): Promise<Result<ChangeOutcome, DomainError>> {
      if (!relink) {
        const built = commands.updateInteraction(input);
        return built.ok ? change(id, () => built.value, actor, options) : built;
      }
      for (let attempt = 1; attempt <= MAX_RELINK_ATTEMPTS; attempt++) {
        const current = await deps.interactions.findById(id, { repId: options.repId, access: 'write' });
        if (!current) return err((options.repId && (await notOwner(id, options.repId))) || interactionNotFound(id));
        if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
          return err(INTERACTION_KIND.versionMismatch(options.expectedVersion, current));
        }
        const links = replaceLinks(current.links, relink.types, relink.links);
        const built = commands.updateInteraction({ ...input, links });
        if (!built.ok) return built;
        const changed = await change(id, () => built.value, actor, { ...options, expectedVersion: current.version });
        const raced = !changed.ok && changed.error.code === 'INTERACTION.VERSION_MISMATCH' && options.expectedVersion === undefined;
        if (!raced) return changed;
      }
      throw new Error(`interaction ${id} kept changing while its links were replaced; gave up after ${MAX_RELINK_ATTEMPTS} attempts`);
    },
  };
}

export type InteractionService = ReturnType<typeof createInteractionService>;
