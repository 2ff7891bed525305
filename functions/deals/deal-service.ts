import { sql, type Kysely } from 'kysely';
import { createDeal, type NewDealInput } from '../../domain/deal/create-deal.js';
import type { Deal } from '../../domain/deal/deal.js';
import { DEAL_KIND } from '../../domain/deal/deal-commands.js';
import { dealNotFound } from '../../domain/deal/deal-errors.js';
import type { DealChange } from '../../domain/deal/deal-stages.js';
import type { DealEvent } from '../../domain/deal/deal.events.js';
import type { DomainError } from '../../domain/errors.js';
import type { SaveOutcome } from '../../domain/shared/aggregate-repository.js';
import type { Pipeline } from '../../domain/pipeline/pipeline.js';
import { decideChange } from '../../domain/shared/aggregate-change.js';
import type { ChangeContext, DomainEvent } from '../../domain/shared/domain-event.js';
import type { ChildPage, PageRequest } from '../../domain/shared/paging.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import type { AfterCommit } from '../kit/aggregate-service.js';
import type { PipelineService } from '../pipelines/pipeline-service.js';
import { readDealHistory, type DealHistoryItem } from './deal-history.js';
import { createDealRepository, dealScope, type DealListQuery, type DealVisibility, type DealWithPipeline } from './deal-repository.js';
import { createCustomerRepository } from '../customers/customer-repository.js';
import { createCustomerService } from '../customers/customer-service.js';
import type { RowValue, WriteRule } from '../kit/aggregate-store.js';
import { PIPELINES, rowToPipeline, type PipelineRow } from '../pipelines/pipeline-table.js';
import { dealLinkError, dealLinkRules } from './deal-link-rules.js';
import { stageStatement, type StageCommandInput } from './deal-stage-statement.js';
import { stageCommand, type StageCommand } from '../../domain/deal/deal-stages.js';

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

/** A change that does not depend on the deal's state (details, owner, tags, contacts, delete): built for the request's clock. */
export type PlainDealChange = (now: string) => Result<DealChange, DomainError>;

type Changed = { deal: Deal; pipeline: Pipeline; event: DealEvent | null };

// A change whose deal moved under it is rebuilt from the fresh state; each lost race means another
// writer won, so this bounds how many writers one request waits behind before answering BUSY.
const MAX_ATTEMPTS = 8;

const CUSTOMERS = 'customer_mgmt_customers';

/** Refusals of a new deal that depend on the pipeline's stages, so a cached copy may be why. */
const STAGE_ERRORS: readonly string[] = ['DEAL.UNKNOWN_STAGE', 'DEAL.USE_CLOSE_COMMAND'];

/** A transaction undone on purpose, with what to answer (an error) or whether to rebuild (null). */
class Undo extends Error {
  constructor(readonly outcome: { readonly error: DomainError } | { readonly rule: string } | null) {
    super('undo');
  }
}

export function createDealService(deps: DealServiceDependencies) {
  const deals = createDealRepository(deps.db);
  const context = (actor: string): ChangeContext => ({ eventId: deps.newId(), now: deps.now().toISOString(), actor });

  /**
   * Pipelines are configuration that rarely changes: a new deal is decided on the pipeline as this
   * process last read it, and its insert holds only while the pipeline is still at that version
   * (else it is read again and the deal decided again), so no read precedes the write.
   */
  const pipelineCache = new Map<string, Pipeline>();

  /** The pipeline a change's answer shows, read by the write statement itself. */
  const pipelineRead = {
    pipeline: (row: RowValue) => sql`(select to_jsonb(p.*) from ${sql.table(PIPELINES)} p where p.id = ${row('pipeline_id')})`,
  };
  const toPipeline = (value: unknown) => rowToPipeline((typeof value === 'string' ? JSON.parse(value) : value) as PipelineRow);

  /** The error for a rule a write broke, with the deal as it would have been (`attempted`). */
  async function conflict(broken: string, attempted: Partial<Deal>, caller: DealCaller): Promise<DomainError> {
    switch (broken) {
      case 'sales_rep':
        return {
          code: 'VALIDATION_FAILED',
          message: `User ${attempted.ownerId} is not an active sales rep.`,
          details: { fields: [{ field: 'owner_id', message: 'must be an active sales rep (from Identity role events)' }] },
        };
      case 'external_id': {
        const existing = await deals.findIdByExternalId(attempted.externalId ?? '', caller.visibility);
        return {
          code: 'DEAL.EXTERNAL_ID_TAKEN',
          message: `Another deal already has external_id ${attempted.externalId}.`,
          details: { field: 'external_id', ...(existing && { existing_deal_id: existing }) },
        };
      }
      case 'customer':
      case 'company':
      case 'customer_company':
        return dealLinkError(broken, attempted);
      case 'contacts': {
        const ids = (attempted.contacts ?? []).map((contact) => contact.customerId);
        const { rows } = await sql<{ id: string }>`
          select listed.id from jsonb_array_elements_text(${param.jsonb(ids)}) as listed(id)
          where not exists (select 1 from ${sql.table(CUSTOMERS)} c where c.id = cast(listed.id as uuid) and c.deleted_at is null)`.execute(
          deps.db,
        );
        return {
          code: 'DEAL.UNKNOWN_CONTACT',
          message: `Every contact must be a live customer; these are not: ${rows.map((row) => row.id).join(', ')}.`,
          details: { field: 'contacts', customer_ids: rows.map((row) => row.id) },
        };
      }
    }
    return {
      code: 'DEAL.UNKNOWN_STAGE',
      message: `The stage "${attempted.stage}" was removed from the pipeline meanwhile; read the pipeline again.`,
      details: { stage: attempted.stage ?? null },
    };
  }

  async function pipelineFor(id: string, fresh: boolean): Promise<Result<Pipeline, DomainError>> {
    const cached = pipelineCache.get(id);
    if (cached && !fresh) return ok(cached);
    const found = await deps.pipelines.get(id);
    if (!found.ok) {
      pipelineCache.delete(id);
      return err({
        code: 'DEAL.UNKNOWN_PIPELINE',
        message: `No pipeline ${id} exists.`,
        details: { field: 'pipeline_id', pipeline_id: id },
      });
    }
    pipelineCache.set(id, found.value);
    return found;
  }

  /**
   * The win of a deal whose primary customer is a lead, prospect or churned, in one transaction
   * with the customer's moves to `customer` (the customer service's own changes, each with its
   * event and the caller as actor; the customer row is locked first, as a completed order does).
   * Null when the deal moved meanwhile (the caller rebuilds the change).
   */
  async function winMovingCustomer(
    id: string,
    change: DealChange,
    ctx: ChangeContext,
    caller: DealCaller,
  ): Promise<Result<{ deal: Deal; event: DealEvent }, DomainError> | null> {
    try {
      const done = await deps.db.transaction().execute(async (trx) => {
        const saved = await createDealRepository(trx).store.saveChange(id, change, ctx, { scope: dealScope(caller.visibility) });
        if (saved.kind === 'conflict') throw new Undo({ rule: saved.field });
        if (saved.kind !== 'saved') throw new Undo(null);
        const customerEvents: DomainEvent[] = [];
        const customerRepository = createCustomerRepository(trx);
        const customers = createCustomerService({
          customers: customerRepository,
          now: deps.now,
          newId: deps.newId,
          afterCommit: async (events) => void customerEvents.push(...events),
        });
        const customerId = saved.entity.primaryCustomerId ?? '';
        const customer = (await customerRepository.lockForOrders(customerId)) ? await customerRepository.findById(customerId) : null;
        if (customer) {
          const moved = await customers.advanceTo(customer, 'customer', ctx.actor);
          if (!moved.ok) throw new Undo({ error: moved.error });
        }
        return { deal: saved.entity, event: saved.event, events: [saved.event, ...customerEvents] };
      });
      await deps.afterCommit?.(done.events);
      return ok({ deal: done.deal, event: done.event });
    } catch (error) {
      if (!(error instanceof Undo)) throw error;
      if (error.outcome === null) return null;
      return err('error' in error.outcome ? error.outcome.error : await conflict(error.outcome.rule, change.set, caller));
    }
  }

  /**
   * Loads the deal, builds the change from it (stage commands snapshot the stage they leave),
   * and saves it in one statement with its event; if the deal moved in between (the statement's
   * preconditions no longer hold), builds it again from the fresh state. With If-Match the
   * change applies only at that version. A win whose primary customer must become a `customer`
   * is saved in a transaction that moves it too. `broken` is a rule a write of this change already
   * broke (the caller tried it without reading): it is answered, or for `customer_lifecycle` the
   * win is made with the customer's move, without trying the same statement again.
   */
  async function changeReadingFirst(
    id: string,
    build: DealChangeBuilder,
    caller: DealCaller,
    expectedVersion: number | undefined,
    ctx: ChangeContext,
    broken?: string,
  ): Promise<Result<Changed, DomainError>> {
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
      const saved: SaveOutcome<Deal, DealEvent> =
        broken === undefined
          ? await deals.store.saveChange(id, change, ctx, {
              scope: dealScope(caller.visibility),
              rules: dealLinkRules(change.set, caller.customersOf, change.event),
            })
          : { kind: 'conflict', field: broken };
      broken = undefined;
      if (saved.kind === 'saved') {
        await deps.afterCommit?.([saved.event]);
        return ok({ deal: saved.entity, pipeline: current.pipeline, event: saved.event });
      }
      if (saved.kind === 'conflict' && saved.field === 'customer_lifecycle') {
        const won = await winMovingCustomer(id, change, ctx, caller);
        if (won === null) continue;
        return won.ok ? ok({ deal: won.value.deal, pipeline: current.pipeline, event: won.value.event }) : won;
      }
      if (saved.kind === 'conflict') return err(await conflict(saved.field, { ...current.deal, ...change.set }, caller));
    }
    return err(busy());
  }

  const busy = (): DomainError => ({
    code: 'DEAL.BUSY',
    message: `The deal changed ${MAX_ATTEMPTS} times while this request tried to apply; read it again and retry.`,
    details: { attempts: MAX_ATTEMPTS },
  });

  return {
    /** The service clock, for what reads derive from time (days in stage). */
    now: () => deps.now().toISOString(),

    /** Decides the deal on its pipeline (as cached, see pipelineCache) and inserts it in one statement with its event. */
    async create(
      input: NewDealInput & { readonly pipelineId: string },
      caller: DealCaller,
    ): Promise<Result<DealWithPipeline, DomainError>> {
      for (const fresh of [false, true]) {
        const pipeline = await pipelineFor(input.pipelineId, fresh);
        if (!pipeline.ok) return pipeline;
        const created = createDeal(input, pipeline.value, { ...context(caller.actor), id: deps.newId() });
        // A stage the cached copy does not know (or knows as closed) may be new: decide again on the stored pipeline.
        if (!created.ok && !fresh && STAGE_ERRORS.includes(created.error.code)) continue;
        if (!created.ok) return created;
        const { entity, event } = created.value;
        // The pipeline copy the deal was decided on must still be the stored one.
        const current: WriteRule = {
          rule: 'pipeline_changed',
          holds: () => sql<boolean>`exists (select 1 from ${sql.table(PIPELINES)} p
            where p.id = ${param.uuid(pipeline.value.id)} and p.version = ${pipeline.value.version} and p.deleted_at is null)`,
        };
        const inserted = await deals.store.insert(entity, event, { rules: [current, ...dealLinkRules(entity, caller.customersOf)] });
        if (inserted.kind === 'conflict' && inserted.field === 'pipeline_changed') continue;
        if (inserted.kind === 'conflict') return err(await conflict(inserted.field, entity, caller));
        // Every rule of the insert is named; only a unique value committed after its snapshot gets here: try again.
        if (inserted.kind === 'not_applied') continue;
        await deps.afterCommit?.([event]);
        return ok({ deal: entity, pipeline: pipeline.value });
      }
      return err(busy());
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
     * A change that does not depend on the deal's state, saved without reading the deal first: one
     * statement applies it with its event and reads the deal's pipeline for the answer. When it
     * does not apply, the deal is loaded so the domain says why (or that nothing changed); if the
     * domain would allow it, another writer got in between and it is tried again.
     */
    async apply(id: string, build: PlainDealChange, caller: DealCaller, expectedVersion?: number): Promise<Result<Changed, DomainError>> {
      const ctx = context(caller.actor);
      const built = build(ctx.now);
      if (!built.ok) return built;
      const change = expectedVersion === undefined ? built.value : { ...built.value, expectedVersion };
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const saved = await deals.store.saveChange(id, change, ctx, {
          scope: dealScope(caller.visibility),
          rules: dealLinkRules(change.set, caller.customersOf, change.event),
          reads: pipelineRead,
        });
        if (saved.kind === 'saved') {
          await deps.afterCommit?.([saved.event]);
          return ok({ deal: saved.entity, pipeline: toPipeline(saved.reads?.pipeline), event: saved.event });
        }
        if (saved.kind === 'conflict') return err(await conflict(saved.field, change.set, caller));
        const current = await deals.findWithPipeline(id, caller.visibility);
        if (!current) return err(dealNotFound(id));
        const decided = decideChange(DEAL_KIND, current.deal, change, ctx);
        if (!decided.ok) return decided;
        if (decided.value.kind === 'unchanged') return ok({ deal: current.deal, pipeline: current.pipeline, event: null });
      }
      return err(busy());
    },

    /**
     * A stage command (move, win, lose, reopen) in one statement that reads the deal and its
     * pipeline itself (functions/deals/deal-stage-statement.ts): no read precedes the write. When
     * it is not applied, or breaks a rule, or is a win whose primary customer must move too, the
     * deal is read and the domain decides as changeReadingFirst does (a refusal costs the statement and
     * that read).
     */
    async stage(
      id: string,
      command: StageCommand,
      input: StageCommandInput,
      caller: DealCaller,
      expectedVersion?: number,
    ): Promise<Result<Changed, DomainError>> {
      const ctx = context(caller.actor);
      const statement = stageStatement(command, input, ctx.now);
      const change = expectedVersion === undefined ? statement.change : { ...statement.change, expectedVersion };
      const saved = await deals.store.saveChange(id, change, ctx, {
        scope: dealScope(caller.visibility),
        rules: dealLinkRules(change.set, caller.customersOf, change.event),
        reads: pipelineRead,
        computed: statement.computed,
      });
      if (saved.kind === 'saved') {
        await deps.afterCommit?.([saved.event]);
        return ok({ deal: saved.entity, pipeline: toPipeline(saved.reads?.pipeline), event: saved.event });
      }
      const build: DealChangeBuilder = ({ deal, pipeline }, now) => stageCommand(deal, pipeline, command, now, input);
      return changeReadingFirst(id, build, caller, expectedVersion, ctx, saved.kind === 'conflict' ? saved.field : undefined);
    },
  };
}

export type DealService = ReturnType<typeof createDealService>;
