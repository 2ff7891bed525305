import { createCustomer, type NewCustomerInput } from '../../domain/customer/create-customer.js';
import type { Customer, CustomerStatus } from '../../domain/customer/customer.js';
import { transition } from '../../domain/customer/customer-commands.js';
import type { LifecycleCommand } from '../../domain/customer/customer-lifecycle.js';
import { lifecyclePath } from '../../domain/customer/lifecycle-path.js';
import {
  atSummaryRevision,
  notErased,
  CUSTOMER_KIND,
  type ChangeOutcome,
  type CustomerChange,
} from '../../domain/customer/customer-change.js';
import type { CustomerEvent } from '../../domain/customer/customer.events.js';
import type {
  ChildPage,
  CustomerListQuery,
  CustomerPage,
  CustomerRepository,
  PageRequest,
  UniqueField,
  Visibility,
} from '../../domain/customer/customer-repository.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { customerNotFound } from '../../domain/customer/customer-errors.js';
import { mergedInto } from '../../domain/merge/merge-errors.js';
import type { DomainError } from '../../domain/errors.js';
import type { Email } from '../../domain/shared/email.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { fromJsonb } from '../db/sql-values.js';
import type { CustomerCandidateRow } from '../duplicates/customer-duplicate-rules.js';
import { toCustomerCandidate, type CustomerCandidate } from '../duplicates/duplicate-finder.js';
import { createAggregateService, type AfterCommit, type ChangeBuilder } from '../kit/aggregate-service.js';

/** What every use case needs from the outside world: storage, a clock and fresh ids. */
export interface ServiceDependencies {
  readonly customers: CustomerRepository;
  readonly now: () => Date;
  readonly newId: () => string;
  /**
   * Called with the events of a change once it has committed, to deliver them right away.
   * Must not throw and must bound its time: the outbox relay delivers whatever it misses.
   */
  readonly afterCommit?: AfterCommit | undefined;
}

export interface ChangeOptions {
  readonly visibility?: Visibility | undefined;
  /** The representation the caller last saw (If-Match); the change fails with VERSION_MISMATCH otherwise. */
  readonly expected?: { readonly version: number; readonly summaryRevision?: number | undefined } | undefined;
}

/** Customer use cases: the write kit's create/change/get, plus what only customers have. */
export function createCustomerService(deps: ServiceDependencies) {
  /**
   * The 409 for a unique value another customer holds (its id named only to a caller who may see
   * that customer: a sales rep must not learn other reps' customers through it), or the 422 for
   * an assignee who is not an active sales rep.
   */
  async function conflictError(field: string, attempted: Partial<Customer>, visibility?: Visibility): Promise<DomainError> {
    const existing = async (unique: UniqueField, value: string): Promise<JsonObject> => {
      const id = await deps.customers.findIdByUnique(unique, value, visibility);
      return id === null ? {} : { existing_customer_id: id };
    };
    if (field === 'sales_rep') {
      const assignedTo = attempted.assignedTo ?? '';
      return {
        code: 'CUSTOMER.UNKNOWN_SALES_REP',
        message: `User ${assignedTo} is not an active sales rep. Sales reps come from Identity's role events (UserRoleGranted with role sales_rep).`,
        details: { field: 'assigned_to', assigned_to: assignedTo },
      };
    }
    if (field === 'company_live') {
      return {
        code: 'CUSTOMER.UNKNOWN_COMPANY',
        message: `company_id ${attempted.companyId ?? ''} names no live company; create the company first (POST /companies) or give the id of an existing one.`,
        details: { field: 'company_id', company_id: attempted.companyId ?? null },
      };
    }
    if (field === 'suppressed') {
      return {
        code: 'CUSTOMER.SUPPRESSED',
        message: 'This email belongs to a person who was erased and asked not to be added again; it cannot be used for a new customer.',
        details: { field: 'email' },
      };
    }
    if (field === 'email') {
      const email = attempted.email ?? '';
      return {
        code: 'CUSTOMER.EMAIL_TAKEN',
        message: `Another customer already uses the email ${email}. Use that customer or choose another email.`,
        details: { field: 'email', ...(await existing('email', email)) },
      };
    }
    if (field === 'external_id') {
      const externalId = attempted.externalId ?? '';
      return {
        code: 'CUSTOMER.EXTERNAL_ID_TAKEN',
        message: `Another customer already has external_id ${externalId}. Update that customer, clear its external_id, or choose another one.`,
        details: { field: 'external_id', ...(await existing('external_id', externalId)) },
      };
    }
    const userId = attempted.userId ?? '';
    return {
      code: 'CUSTOMER.USER_ALREADY_LINKED',
      message: `User ${userId} is already linked to another customer.`,
      details: { field: 'user_id', ...(await existing('user_id', userId)) },
    };
  }

  const kit = createAggregateService({
    kind: CUSTOMER_KIND,
    repository: deps.customers,
    now: deps.now,
    newId: deps.newId,
    afterCommit: deps.afterCommit,
    notFound: customerNotFound,
    conflict: conflictError,
    // A customer that is gone because it was merged says where it went (404 CUSTOMER.MERGED, docs/merge.md);
    // the read that missed it noted where it went, so this costs no further call.
    merged: { survivorOf: (id) => deps.customers.findMergedInto(id), error: (id, survivor) => mergedInto('customer', id, survivor) },
  });

  const service = {
    async create(
      input: NewCustomerInput,
      actor: string,
      options: { readonly visibility?: Visibility | undefined } = {},
    ): Promise<Result<{ customer: Customer; event: CustomerEvent; possibleDuplicates: CustomerCandidate[] }, DomainError>> {
      const created = await kit.create(
        ({ id, ...context }) => {
          const decided = createCustomer(input, { ...context, customerId: id });
          return decided.ok ? ok({ entity: decided.value.customer, event: decided.value.event }) : decided;
        },
        actor,
        { scope: options.visibility },
      );
      if (!created.ok) return created;
      // Read by the insert statement (customer-repository.ts): phone or name matches within the creator's scope.
      const found = created.value.reads?.duplicates;
      const rows = found === undefined || found === null ? [] : fromJsonb(found as CustomerCandidateRow[] | string);
      return ok({ customer: created.value.entity, event: created.value.event, possibleDuplicates: rows.map(toCustomerCandidate) });
    },

    get: (id: string, visibility?: Visibility) => kit.get(id, visibility),

    /** The live customer an external id names: its holder, or the survivor a loser holding it was merged into. */
    idByExternalId: (externalId: string, visibility?: Visibility): Promise<string | null> =>
      deps.customers.findIdByUnique('external_id', externalId, visibility),

    async getByEmail(email: Email, visibility?: Visibility): Promise<Result<Customer, DomainError>> {
      const customer = await deps.customers.findByEmail(email, visibility);
      return customer
        ? ok(customer)
        : err({ code: 'CUSTOMER.NOT_FOUND', message: `No customer with email ${email} exists (it may have been deleted).` });
    },

    list(query: CustomerListQuery): Promise<CustomerPage> {
      return deps.customers.list(query);
    },

    /**
     * Applies a change built for this request's clock, only to a customer the caller can see and,
     * with If-Match, only at the version they saw; retried if the customer moved under it.
     */
    change(
      id: string,
      build: ChangeBuilder<Customer, CustomerChange['event'], keyof CustomerChange['set']>,
      actor: string,
      options: ChangeOptions = {},
    ): Promise<Result<ChangeOutcome, DomainError>> {
      const { expected } = options;
      // The summary revision is part of what If-Match names (see etagOf); it is checked before the command's own preconditions.
      // A batch item's if_match names only the version (no summary revision).
      const revision = expected?.summaryRevision;
      // An erased customer is frozen: every change requires it is not (checked in the write statement itself).
      const withGuards = (change: CustomerChange): CustomerChange => ({
        ...change,
        requires: [...(revision !== undefined ? [atSummaryRevision(revision)] : []), notErased, ...(change.requires ?? [])],
      });
      const guarded: typeof build = (now) => {
        const built = build(now);
        return 'ok' in built ? (built.ok ? ok(withGuards(built.value)) : built) : withGuards(built);
      };
      return kit.change(id, guarded, actor, { scope: options.visibility, expectedVersion: expected?.version });
    },

    /**
     * Moves a customer to `target` along the shortest path of the lifecycle table (a lead to
     * `customer`: qualify, convert; churned: reactivate, convert), each step one change with its
     * own event. What other aggregates' rules use (a completed order, a won deal); run it inside
     * their transaction, on a customer they locked, so the steps commit with their cause.
     */
    async advanceTo(customer: Customer, target: CustomerStatus, actor: string): Promise<Result<LifecycleCommand[], DomainError>> {
      const steps = lifecyclePath(customer.status, target) ?? [];
      for (const command of steps) {
        const moved = await service.change(customer.id, (now) => transition(command, now), actor);
        if (!moved.ok) return err({ ...moved.error, message: `${command} towards ${target}: ${moved.error.message}` });
      }
      return ok(steps);
    },

    async history(id: string, page: PageRequest, visibility?: Visibility): Promise<Result<ChildPage<CustomerEvent>, DomainError>> {
      const events = await deps.customers.history(id, page, visibility);
      // No read noted where it went: asked afresh.
      return events
        ? ok(events)
        : kit.explainMissing(id, err(customerNotFound(id)), visibility, (missing) => deps.customers.findMergedInto(missing, false));
    },
  };
  return service;
}

export type CustomerService = ReturnType<typeof createCustomerService>;
