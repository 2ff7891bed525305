import { createCustomer, type NewCustomerInput } from '../../domain/customer/create-customer.js';
import type { Customer, Timestamp } from '../../domain/customer/customer.js';
import { applyChange, type ChangeOutcome, type CustomerChange } from '../../domain/customer/customer-change.js';
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
import { customerNotFound, type DomainError } from '../../domain/errors.js';
import type { Email } from '../../domain/shared/email.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { err, ok, type Result } from '../../domain/shared/result.js';

/** What every use case needs from the outside world: storage, a clock and fresh ids. */
export interface ServiceDependencies {
  readonly customers: CustomerRepository;
  readonly now: () => Date;
  readonly newId: () => string;
  /**
   * Called with the events of a change once it has committed, to deliver them right away.
   * Must not throw and must bound its time: the outbox relay delivers whatever it misses.
   */
  readonly afterCommit?: (events: readonly CustomerEvent[]) => Promise<void>;
}

export interface ChangeOptions {
  readonly visibility?: Visibility | undefined;
  /** The representation the caller last saw (If-Match); the change fails with VERSION_MISMATCH otherwise. */
  readonly expected?: { readonly version: number; readonly summaryRevision: number } | undefined;
}

// A change whose precondition failed is decided again on the freshly loaded customer; if it
// then succeeds, another writer got in between, so the statement is simply tried again.
const MAX_SAVE_ATTEMPTS = 3;

export function createCustomerService(deps: ServiceDependencies) {
  const context = (actor: string) => ({ eventId: deps.newId(), now: deps.now().toISOString(), actor });

  /**
   * The 409 for a unique value another customer holds. Its id is named only to a caller who may
   * see that customer: a sales rep must not learn other reps' customers through it.
   */
  async function conflictError(field: UniqueField, value: string, visibility: Visibility | undefined): Promise<DomainError> {
    const existingId = await deps.customers.findIdByUnique(field, value, visibility);
    const existing: JsonObject = existingId === null ? {} : { existing_customer_id: existingId };
    return field === 'email'
      ? {
          code: 'CUSTOMER.EMAIL_TAKEN',
          message: `Another customer already uses the email ${value}. Use that customer or choose another email.`,
          details: { field: 'email', ...existing },
        }
      : {
          code: 'CUSTOMER.USER_ALREADY_LINKED',
          message: `User ${value} is already linked to another customer.`,
          details: { field: 'user_id', ...existing },
        };
  }

  /**
   * Applies a change built for this request's clock, only to a customer the caller can see and,
   * with If-Match, only at the version they saw; retried if the customer moved under it.
   */
  async function change(
    id: string,
    build: (now: Timestamp) => CustomerChange,
    actor: string,
    options: ChangeOptions = {},
  ): Promise<Result<ChangeOutcome, DomainError>> {
    const ctx = context(actor);
    const built = build(ctx.now);
    const command =
      options.expected === undefined
        ? built
        : { ...built, expectedVersion: options.expected.version, expectedSummaryRevision: options.expected.summaryRevision };
    for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
      const saved = await deps.customers.saveChange(id, command, ctx, options.visibility);
      if (saved.kind === 'saved') {
        await deps.afterCommit?.([saved.event]);
        return ok({ kind: 'changed', customer: saved.customer, event: saved.event });
      }
      if (saved.kind === 'conflict') {
        const value = saved.field === 'email' ? (command.set.email ?? '') : (command.set.userId ?? '');
        return err(await conflictError(saved.field, value, options.visibility));
      }
      const current = await deps.customers.findById(id, options.visibility);
      if (!current) return err(customerNotFound(id));
      const decided = applyChange(current, command, ctx);
      if (!decided.ok || decided.value.kind === 'unchanged') return decided;
    }
    throw new Error(`customer ${id} kept changing under ${command.event}; gave up after ${MAX_SAVE_ATTEMPTS} attempts`);
  }

  return {
    async create(
      input: NewCustomerInput,
      actor: string,
      options: { readonly visibility?: Visibility | undefined } = {},
    ): Promise<Result<{ customer: Customer; event: CustomerEvent }, DomainError>> {
      const created = createCustomer(input, { ...context(actor), customerId: deps.newId() });
      if (!created.ok) return created;
      const { customer, event } = created.value;
      const inserted = await deps.customers.insert(customer, event);
      if (inserted.kind === 'conflict') {
        const value = inserted.field === 'email' ? customer.email : (customer.userId ?? '');
        return err(await conflictError(inserted.field, value, options.visibility));
      }
      await deps.afterCommit?.([event]);
      return created;
    },

    async get(id: string, visibility?: Visibility): Promise<Result<Customer, DomainError>> {
      const customer = await deps.customers.findById(id, visibility);
      return customer ? ok(customer) : err(customerNotFound(id));
    },

    async getByEmail(email: Email, visibility?: Visibility): Promise<Result<Customer, DomainError>> {
      const customer = await deps.customers.findByEmail(email, visibility);
      return customer
        ? ok(customer)
        : err({ code: 'CUSTOMER.NOT_FOUND', message: `No customer with email ${email} exists (it may have been deleted).` });
    },

    list(query: CustomerListQuery): Promise<CustomerPage> {
      return deps.customers.list(query);
    },

    change,

    async history(id: string, page: PageRequest, visibility?: Visibility): Promise<Result<ChildPage<CustomerEvent>, DomainError>> {
      const events = await deps.customers.history(id, page, visibility);
      return events ? ok(events) : err(customerNotFound(id));
    },
  };
}

export type CustomerService = ReturnType<typeof createCustomerService>;
