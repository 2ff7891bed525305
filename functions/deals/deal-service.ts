import { sql, type Kysely, type RawBuilder } from 'kysely';
import { createDeal, type NewDealInput } from '../../domain/deal/create-deal.js';
import type { Deal } from '../../domain/deal/deal.js';
import { DEAL_KIND } from '../../domain/deal/deal-commands.js';
import { dealNotFound } from '../../domain/deal/deal-errors.js';
import type { DealChange } from '../../domain/deal/deal-stages.js';
import type { DealEvent } from '../../domain/deal/deal.events.js';
import type { DomainError } from '../../domain/errors.js';
import type { Pipeline } from '../../domain/pipeline/pipeline.js';
import { decideChange } from '../../domain/shared/aggregate-change.js';
import type { ChangeContext } from '../../domain/shared/domain-event.js';
import type { ChildPage, PageRequest } from '../../domain/shared/paging.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import type { AfterCommit } from '../kit/aggregate-service.js';
import type { PipelineService } from '../pipelines/pipeline-service.js';
import { readDealHistory, type DealHistoryItem } from './deal-history.js';
import { createDealRepository, dealScope, type DealListQuery, type DealVisibility, type DealWithPipeline } from './deal-repository.js';

export interface DealServiceDependencies {
  readonly db: Kysely<Database>;
  readonly pipelines: PipelineService;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly afterCommit?: AfterCommit | undefined;
}

/** Who acts and what they may touch: a sales rep only their own deals, and only their own customers as links. */
export interface DealCaller {
  readonly actor: string;
  readonly visibility: DealVisibility;
  /** A sales rep links only customers assigned to them. */
  readonly customersOf?: string | undefined;
}

/** Builds a change from the deal as it now is (stage commands snapshot it); an error says why not. */
export type DealChangeBuilder = (current: DealWithPipeline, now: string) => Result<DealChange, DomainError>;

// A change whose deal moved under it is rebuilt from the fresh state; each lost race means another
// writer won, so this bounds how many writers one request waits behind before answering BUSY.
const MAX_ATTEMPTS = 8;

export function createDealService(deps: DealServiceDependencies) {
  const deals = createDealRepository(deps.db);
  const context = (actor: string): ChangeContext => ({ eventId: deps.newId(), now: deps.now().toISOString(), actor });

  /** The customer a deal links must be live (and, for a sales rep, theirs): a condition inside the write. */
  const customerLinkable = (customerId: string, caller: DealCaller): RawBuilder<boolean> =>
    sql<boolean>`exists (select 1 from customer_mgmt_customers c where c.id = ${param.uuid(customerId)} and c.deleted_at is null
      ${caller.customersOf === undefined ? sql`` : sql`and c.assigned_to = ${param.uuid(caller.customersOf)}`})`;
  const linkGuards = (deal: Partial<Deal>, caller: DealCaller) =>
    deal.primaryCustomerId ? [customerLinkable(deal.primaryCustomerId, caller)] : [];
  const unknownCustomer = (customerId: string): DomainError => ({
    code: 'DEAL.UNKNOWN_CUSTOMER',
    message: `No live customer ${customerId} exists that you may link; create it first or pick another.`,
    details: { field: 'primary_customer_id', primary_customer_id: customerId },
  });

  async function conflict(rule: string, attempted: Partial<Deal>, caller: DealCaller): Promise<DomainError> {
    if (rule === 'sales_rep') {
      return {
        code: 'VALIDATION_FAILED',
        message: `User ${attempted.ownerId} is not an active sales rep.`,
        details: { fields: [{ field: 'owner_id', message: 'must be an active sales rep (from Identity role events)' }] },
      };
    }
    if (rule === 'external_id') {
      const existing = await deals.findIdByExternalId(attempted.externalId ?? '', caller.visibility);
      return {
        code: 'DEAL.EXTERNAL_ID_TAKEN',
        message: `Another deal already has external_id ${attempted.externalId}.`,
        details: { field: 'external_id', ...(existing && { existing_deal_id: existing }) },
      };
    }
    return {
      code: 'DEAL.UNKNOWN_STAGE',
      message: `The stage "${attempted.stage}" was removed from the pipeline meanwhile; read the pipeline again.`,
      details: { stage: attempted.stage ?? null },
    };
  }

  async function pipelineFor(id: string): Promise<Result<Pipeline, DomainError>> {
    const found = await deps.pipelines.get(id);
    return found.ok
      ? found
      : err({ code: 'DEAL.UNKNOWN_PIPELINE', message: `No pipeline ${id} exists.`, details: { field: 'pipeline_id', pipeline_id: id } });
  }

  return {
    /** The service clock, for what reads derive from time (days in stage). */
    now: () => deps.now().toISOString(),

    async create(
      input: NewDealInput & { readonly pipelineId: string },
      caller: DealCaller,
    ): Promise<Result<DealWithPipeline, DomainError>> {
      const pipeline = await pipelineFor(input.pipelineId);
      if (!pipeline.ok) return pipeline;
      const created = createDeal(input, pipeline.value, { ...context(caller.actor), id: deps.newId() });
      if (!created.ok) return created;
      const { entity, event } = created.value;
      const inserted = await deals.insert(entity, event, linkGuards(entity, caller));
      if (inserted.kind === 'conflict') return err(await conflict(inserted.field, entity, caller));
      if (inserted.kind === 'not_applied') return err(unknownCustomer(entity.primaryCustomerId ?? ''));
      await deps.afterCommit?.([event]);
      return ok({ deal: entity, pipeline: pipeline.value });
    },

    async get(id: string, visibility: DealVisibility): Promise<Result<DealWithPipeline, DomainError>> {
      const found = await deals.findWithPipeline(id, visibility);
      return found ? ok(found) : err(dealNotFound(id));
    },

    list: (query: DealListQuery) => deals.list(query),

    /** A page of the deal's events, oldest first, with the time spent in each stage it entered. */
    async history(id: string, page: PageRequest, visibility: DealVisibility): Promise<Result<ChildPage<DealHistoryItem>, DomainError>> {
      const read = await readDealHistory(deps.db, id, page, visibility, deps.now().toISOString());
      return read ? ok(read) : err(dealNotFound(id));
    },

    /**
     * Loads the deal, builds the change from it, and saves it in one statement with its event; if
     * the deal moved in between (the statement's preconditions no longer hold), builds it again
     * from the fresh state. With If-Match the change applies only at that version.
     */
    async change(
      id: string,
      build: DealChangeBuilder,
      caller: DealCaller,
      expectedVersion?: number,
    ): Promise<Result<{ deal: Deal; pipeline: Pipeline; event: DealEvent | null }, DomainError>> {
      const ctx = context(caller.actor);
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const current = await deals.findWithPipeline(id, caller.visibility);
        if (!current) return err(dealNotFound(id));
        // If-Match is answered first: a caller who saw another version learns that before anything else.
        if (expectedVersion !== undefined && expectedVersion !== current.deal.version) {
          return err(DEAL_KIND.versionMismatch(expectedVersion, current.deal));
        }
        const built = build(current, ctx.now);
        if (!built.ok) return built;
        const change = expectedVersion === undefined ? built.value : { ...built.value, expectedVersion };
        const decided = decideChange(DEAL_KIND, current.deal, change, ctx);
        if (!decided.ok) return decided;
        if (decided.value.kind === 'unchanged') return ok({ deal: current.deal, pipeline: current.pipeline, event: null });
        const saved = await deals.store.saveChange(id, change, ctx, {
          scope: dealScope(caller.visibility),
          guards: linkGuards(change.set, caller),
        });
        if (saved.kind === 'saved') {
          await deps.afterCommit?.([saved.event]);
          return ok({ deal: saved.entity, pipeline: current.pipeline, event: saved.event });
        }
        if (saved.kind === 'conflict') return err(await conflict(saved.field, change.set, caller));
        const link = change.set.primaryCustomerId;
        if (link) {
          const { rows } = await sql<{ ok: boolean }>`select ${customerLinkable(link, caller)} as ok`.execute(deps.db);
          if (!rows[0]?.ok) return err(unknownCustomer(link));
        }
      }
      return err({
        code: 'DEAL.BUSY',
        message: `The deal changed ${MAX_ATTEMPTS} times while this request tried to apply; read it again and retry.`,
        details: { attempts: MAX_ATTEMPTS },
      });
    },
  };
}

export type DealService = ReturnType<typeof createDealService>;
