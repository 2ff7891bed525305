import { decideChange, type AggregateChange, type AggregateRoot, type ChangeOutcome } from '../../domain/shared/aggregate-change.js';
import type { ChangeContext, DomainEvent } from '../../domain/shared/domain-event.js';
import type { DomainError } from '../../domain/errors.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import type { AggregateRepository } from '../../domain/shared/aggregate-repository.js';
import type { AggregateKind } from '../../domain/shared/aggregate-change.js';

/** Delivers committed events right away; must not throw and must bound its time (the relay catches up). */
export type AfterCommit = (events: readonly DomainEvent[]) => Promise<void>;

/** What every use case needs from the outside world: storage, a clock and fresh ids. */
export interface AggregateServiceDependencies<State extends AggregateRoot, Field extends keyof State, EventType extends string, Scope> {
  readonly kind: AggregateKind<State, Field>;
  readonly repository: AggregateRepository<State, AggregateChange<State, EventType, Field>, DomainEvent<EventType>, ChangeContext, Scope>;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly afterCommit?: AfterCommit | undefined;
  readonly notFound: (id: string) => DomainError;
  /**
   * The error for a rule a write broke (`field` names it, from the table's rules), with the values
   * it tried and the aggregate it wrote.
   */
  readonly conflict: (field: string, attempted: Partial<State>, scope: Scope | undefined, id: string) => Promise<DomainError>;
  /**
   * For aggregates that can be merged (docs/merge.md): where a record that is missing went, and the
   * 404 that says so. Every read and change of a missing record then asks (one more read, on a 404
   * only) and answers MERGED with `details.merged_into` instead of NOT_FOUND.
   */
  readonly merged?: MergedRecords<Scope> | undefined;
}

/** Where a merged record went (the survivor's id, or null: never merged), and the error naming it. */
export interface MergedRecords<Scope> {
  readonly survivorOf: (id: string, scope: Scope | undefined) => Promise<string | null>;
  readonly error: (id: string, survivorId: string) => DomainError;
}

export interface ChangeOptions<Scope> {
  /** Who may touch the aggregate; outside it, it behaves as missing. */
  readonly scope?: Scope | undefined;
  /** The version the caller last saw (If-Match); the change fails with the aggregate's VERSION_MISMATCH otherwise. */
  readonly expectedVersion?: number | undefined;
}

/** A change built for this request's clock, or the reason its input is invalid. */
export type ChangeBuilder<State, EventType extends string, Field extends keyof State> = (
  now: string,
) => AggregateChange<State, EventType, Field> | Result<AggregateChange<State, EventType, Field>, DomainError>;

// A change whose precondition failed is decided again on the freshly loaded aggregate; if it then
// succeeds, another writer got in between, so the statement is simply tried again.
const MAX_SAVE_ATTEMPTS = 3;

const isResult = <T>(value: T | Result<T, DomainError>): value is Result<T, DomainError> =>
  typeof value === 'object' && value !== null && 'ok' in value && typeof (value as { ok: unknown }).ok === 'boolean';

/**
 * The use cases every aggregate shares: create with its first event, change in one statement
 * (reloading to let the domain explain a refusal), and read — generic over the aggregate.
 */
export function createAggregateService<State extends AggregateRoot, Field extends keyof State, EventType extends string, Scope>(
  deps: AggregateServiceDependencies<State, Field, EventType, Scope>,
) {
  const context = (actor: string): ChangeContext => ({ eventId: deps.newId(), now: deps.now().toISOString(), actor });
  const notFoundCode = deps.notFound('').code;

  /** A NOT_FOUND of a record that was merged becomes the MERGED that names its survivor; anything else is as it was. */
  async function explainMissing<T>(
    id: string,
    result: Result<T, DomainError>,
    scope: Scope | undefined,
    survivorOf = deps.merged?.survivorOf,
  ): Promise<Result<T, DomainError>> {
    if (result.ok || result.error.code !== notFoundCode || !deps.merged || !survivorOf) return result;
    const survivor = await survivorOf(id, scope);
    return survivor === null ? result : err(deps.merged.error(id, survivor));
  }

  async function change(
    id: string,
    build: ChangeBuilder<State, EventType, Field>,
    actor: string,
    options: ChangeOptions<Scope> = {},
  ): Promise<Result<ChangeOutcome<State, DomainEvent<EventType>>, DomainError>> {
    return explainMissing(id, await changeOnce(id, build, actor, options), options.scope);
  }

  async function changeOnce(
    id: string,
    build: ChangeBuilder<State, EventType, Field>,
    actor: string,
    options: ChangeOptions<Scope> = {},
  ): Promise<Result<ChangeOutcome<State, DomainEvent<EventType>>, DomainError>> {
    const ctx = context(actor);
    const built = build(ctx.now);
    if (isResult(built) && !built.ok) return built;
    const base = isResult(built) ? built.value : built;
    const command = options.expectedVersion === undefined ? base : { ...base, expectedVersion: options.expectedVersion };
    for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
      const saved = await deps.repository.saveChange(id, command, ctx, options.scope);
      if (saved.kind === 'saved') {
        await deps.afterCommit?.([saved.event]);
        return ok({ kind: 'changed', entity: saved.entity, event: saved.event });
      }
      if (saved.kind === 'conflict') return err(await deps.conflict(saved.field, command.set as Partial<State>, options.scope, id));
      const current = await deps.repository.findById(id, options.scope);
      if (!current) return err(deps.notFound(id));
      const decided = decideChange(deps.kind, current, command, ctx);
      if (!decided.ok || decided.value.kind === 'unchanged') return decided;
    }
    throw new Error(`${deps.kind.type} ${id} kept changing under ${command.event}; gave up after ${MAX_SAVE_ATTEMPTS} attempts`);
  }

  return {
    context,
    change,
    explainMissing,

    /**
     * Stores a new aggregate with its first event, built by the domain for this request's clock and
     * fresh id.
     */
    async create(
      build: (context: ChangeContext & { readonly id: string }) => Result<{ entity: State; event: DomainEvent<EventType> }, DomainError>,
      actor: string,
      options: {
        /** The caller's scope, for errors that must not reveal what is outside it. */
        readonly scope?: Scope | undefined;
        /** Explains an insert a guard of the repository refused (e.g. a parent that does not exist). */
        readonly refused?: () => Promise<DomainError>;
      } = {},
    ): Promise<Result<{ entity: State; event: DomainEvent<EventType>; reads?: Readonly<Record<string, unknown>> }, DomainError>> {
      const created = build({ ...context(actor), id: deps.newId() });
      if (!created.ok) return created;
      const inserted = await deps.repository.insert(created.value.entity, created.value.event, options.scope);
      if (inserted.kind === 'conflict') {
        return err(await deps.conflict(inserted.field, created.value.entity, options.scope, created.value.entity.id));
      }
      if (inserted.kind === 'not_applied') {
        if (!options.refused) throw new Error(`${deps.kind.type} insert refused by a guard nobody explains`);
        return err(await options.refused());
      }
      await deps.afterCommit?.([created.value.event]);
      return inserted.reads ? ok({ ...created.value, reads: inserted.reads }) : created;
    },

    async get(id: string, scope?: Scope): Promise<Result<State, DomainError>> {
      const found = await deps.repository.findById(id, scope);
      return found ? ok(found) : explainMissing(id, err(deps.notFound(id)), scope);
    },
  };
}

export type AggregateService<State extends AggregateRoot, Field extends keyof State, EventType extends string, Scope> = ReturnType<
  typeof createAggregateService<State, Field, EventType, Scope>
>;
