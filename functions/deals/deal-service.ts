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
import { err, ok, type Result } from '../../domain/shared/result.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import type { AfterCommit } from '../kit/aggregate-service.js';
import type { PipelineService } from '../pipelines/pipeline-service.js';
import { createDealRepository, dealScope, type DealListQuery, type DealVisibility, type DealWithPipeline } from './deal-repository.js';
import { CUSTOMER_STATUSES } from '../../domain/customer/customer.js';
import { lifecyclePath } from '../../domain/customer/lifecycle-path.js';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import { createCustomerRepository } from '../customers/customer-repository.js';
import { createCustomerService } from '../customers/customer-service.js';
import { companyLive, DEALS } from './deal-table.js';

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

const CUSTOMERS = 'customer_mgmt_customers';

/** Customer statuses a won deal moves on to `customer` (lead, prospect, churned), read off the lifecycle table. */
const BEFORE_CUSTOMER = CUSTOMER_STATUSES.filter((status) => (lifecyclePath(status, 'customer') ?? []).length > 0);

/**
 * The rules a deal's links keep beyond what the table's reference checks say, each checked inside
 * the write statement and, when it refused, asked again (in that order) to say which one it was.
 * `customer_lifecycle` is not an error: a win whose primary customer must move on is done again
 * in a transaction that moves the customer too.
 */
type LinkRule = 'customer' | 'company' | 'customer_company' | 'customer_lifecycle';

/** The deal's links after the write, as SQL: bound values for what it sets, its row's columns for the rest. */
interface LinksAfter {
  readonly companyId: RawBuilder<unknown>;
  readonly primaryCustomerId: RawBuilder<unknown>;
}

/** A transaction undone on purpose, with what to answer (an error) or whether to rebuild (null). */
class Undo extends Error {
  constructor(readonly outcome: { readonly error: DomainError } | { readonly rule: string } | null) {
    super('undo');
  }
}

export function createDealService(deps: DealServiceDependencies) {
  const deals = createDealRepository(deps.db);
  const context = (actor: string): ChangeContext => ({ eventId: deps.newId(), now: deps.now().toISOString(), actor });

  /** The customer a deal links must be live (and, for a sales rep, theirs): a condition inside the write. */
  const customerLinkable = (customerId: RawBuilder<unknown>, caller: DealCaller): RawBuilder<boolean> =>
    sql<boolean>`exists (select 1 from ${sql.table(CUSTOMERS)} c where c.id = ${customerId} and c.deleted_at is null
      ${caller.customersOf === undefined ? sql`` : sql`and c.assigned_to = ${param.uuid(caller.customersOf)}`})`;

  /** The link rules a write of `set` must keep, each as a condition over the deal after the write. */
  function linkRules(
    set: Partial<Deal>,
    after: LinksAfter,
    caller: DealCaller,
    event?: string,
  ): { rule: LinkRule; holds: RawBuilder<boolean> }[] {
    const rules: { rule: LinkRule; holds: RawBuilder<boolean> }[] = [];
    if (set.primaryCustomerId) rules.push({ rule: 'customer', holds: customerLinkable(after.primaryCustomerId, caller) });
    // A reopened deal is open again: its company must still be live (a new company_id is a reference check of the table).
    if (set.status === 'open' && set.companyId === undefined) {
      rules.push({ rule: 'company', holds: sql<boolean>`(${after.companyId} is null or ${companyLive(after.companyId)})` });
    }
    if (set.companyId !== undefined || set.primaryCustomerId !== undefined) {
      rules.push({
        rule: 'customer_company',
        holds: sql<boolean>`(${after.companyId} is null or ${after.primaryCustomerId} is null or exists (
          select 1 from ${sql.table(CUSTOMERS)} member where member.id = ${after.primaryCustomerId} and member.company_id = ${after.companyId}))`,
      });
    }
    if (event === 'DealWon') {
      rules.push({
        rule: 'customer_lifecycle',
        holds: sql<boolean>`not exists (select 1 from ${sql.table(CUSTOMERS)} moving
          where moving.id = ${after.primaryCustomerId} and moving.deleted_at is null
            and moving.status in (${sql.join(BEFORE_CUSTOMER.map((status) => sql`${status}`))}))`,
      });
    }
    return rules;
  }

  /** The links of a new deal: its own values. */
  const newLinks = (deal: Deal): LinksAfter => ({
    companyId: param.nullableUuid(deal.companyId),
    primaryCustomerId: param.nullableUuid(deal.primaryCustomerId),
  });
  /** The links of a changed deal: what the change sets, else the stored row's columns. */
  const changedLinks = (set: Partial<Deal>): LinksAfter => ({
    companyId: set.companyId === undefined ? sql.ref(`${DEALS}.company_id`) : param.nullableUuid(set.companyId),
    primaryCustomerId:
      set.primaryCustomerId === undefined ? sql.ref(`${DEALS}.primary_customer_id`) : param.nullableUuid(set.primaryCustomerId),
  });

  /** Which link rule refused a write, asked in a statement of its own (over the deal's row when it exists). */
  async function brokenLinkRule(rules: readonly { rule: LinkRule; holds: RawBuilder<boolean> }[], id?: string): Promise<LinkRule | null> {
    if (rules.length === 0) return null;
    const which = sql<LinkRule | null>`case ${sql.join(
      rules.map(({ rule, holds }) => sql`when not ${holds} then ${rule}`),
      sql` `,
    )} end`;
    const { rows } = await (
      id === undefined
        ? sql<{ rule: LinkRule | null }>`select ${which} as rule`
        : sql<{ rule: LinkRule | null }>`select ${which} as rule from ${sql.table(DEALS)} where id = ${param.uuid(id)}`
    ).execute(deps.db);
    return rows[0]?.rule ?? null;
  }

  function linkError(rule: Exclude<LinkRule, 'customer_lifecycle'>, deal: Partial<Deal>): DomainError {
    switch (rule) {
      case 'customer':
        return unknownCustomer(deal.primaryCustomerId ?? '');
      case 'company':
        return unknownCompany(deal.companyId ?? null);
      case 'customer_company':
        return {
          code: 'DEAL.CUSTOMER_NOT_IN_COMPANY',
          message: `Customer ${deal.primaryCustomerId ?? ''} is not a contact of company ${deal.companyId ?? ''}: a deal's primary customer must belong to its company. Link the customer to the company first, or leave one of them out.`,
          details: {
            field: 'primary_customer_id',
            primary_customer_id: deal.primaryCustomerId ?? null,
            company_id: deal.companyId ?? null,
          },
        };
    }
  }

  const unknownCustomer = (customerId: string): DomainError => ({
    code: 'DEAL.UNKNOWN_CUSTOMER',
    message: `No live customer ${customerId} exists that you may link; create it first or pick another.`,
    details: { field: 'primary_customer_id', primary_customer_id: customerId },
  });
  const unknownCompany = (companyId: string | null): DomainError => ({
    code: 'DEAL.UNKNOWN_COMPANY',
    message: `company_id ${companyId ?? ''} names no live company; create the company first (POST /companies) or give the id of an existing one.`,
    details: { field: 'company_id', company_id: companyId },
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
    if (rule === 'company') return unknownCompany(attempted.companyId ?? null);
    if (rule === 'contacts') {
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
      const rules = linkRules(entity, newLinks(entity), caller);
      const inserted = await deals.insert(
        entity,
        event,
        rules.map(({ holds }) => holds),
      );
      if (inserted.kind === 'conflict') return err(await conflict(inserted.field, entity, caller));
      if (inserted.kind === 'not_applied') {
        const rule = await brokenLinkRule(rules);
        return err(linkError(rule === null || rule === 'customer_lifecycle' ? 'customer' : rule, entity));
      }
      await deps.afterCommit?.([event]);
      return ok({ deal: entity, pipeline: pipeline.value });
    },

    async get(id: string, visibility: DealVisibility): Promise<Result<DealWithPipeline, DomainError>> {
      const found = await deals.findWithPipeline(id, visibility);
      return found ? ok(found) : err(dealNotFound(id));
    },

    list: (query: DealListQuery) => deals.list(query),

    /**
     * Loads the deal, builds the change from it, and saves it in one statement with its event; if
     * the deal moved in between (the statement's preconditions no longer hold), builds it again
     * from the fresh state. With If-Match the change applies only at that version. A win whose
     * primary customer must become a `customer` is saved in a transaction that moves it too.
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
        const rules = linkRules(change.set, changedLinks(change.set), caller, change.event);
        const saved = await deals.store.saveChange(id, change, ctx, {
          scope: dealScope(caller.visibility),
          guards: rules.map(({ holds }) => holds),
        });
        if (saved.kind === 'saved') {
          await deps.afterCommit?.([saved.event]);
          return ok({ deal: saved.entity, pipeline: current.pipeline, event: saved.event });
        }
        if (saved.kind === 'conflict') return err(await conflict(saved.field, change.set, caller));
        const broken = await brokenLinkRule(rules, id);
        if (broken === 'customer_lifecycle') {
          const won = await winMovingCustomer(id, change, ctx, caller);
          if (won === null) continue;
          return won.ok ? ok({ deal: won.value.deal, pipeline: current.pipeline, event: won.value.event }) : won;
        }
        if (broken) return err(linkError(broken, { ...current.deal, ...change.set }));
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
