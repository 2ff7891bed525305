/** What storing a new aggregate with its first event came to: a guard that failed is `not_applied`. */
export type InsertOutcome =
  /** `reads`: values the insert statement read besides the row (named by the caller), when asked for. */
  | { readonly kind: 'inserted'; readonly reads?: Readonly<Record<string, unknown>> }
  | { readonly kind: 'not_applied' }
  | { readonly kind: 'conflict'; readonly field: string };

/**
 * The outcome of saving a change in one statement: saved with its event, not applied because a
 * precondition did not hold (the caller loads and lets the domain say why), or a unique conflict
 * (`field` names the unique rule).
 */
export type SaveOutcome<State, Event> =
  | {
      readonly kind: 'saved';
      readonly entity: State;
      readonly event: Event;
      /** Values the write statement read besides the row (named by the caller), when asked for. */
      readonly reads?: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'not_applied' }
  | { readonly kind: 'conflict'; readonly field: string };

/**
 * Storage of one kind of aggregate with its event stream, every write one statement with its
 * event. `Scope` says which instances a caller may touch (a sales rep's own); instances outside it
 * behave exactly like instances that do not exist.
 */
export interface AggregateRepository<State, Change, Event, Context, Scope> {
  /** Stores a new aggregate with its first event; `scope` is the creator's, for guards on what it may link. */
  insert(entity: State, event: Event, scope?: Scope): Promise<InsertOutcome>;
  findById(id: string, scope?: Scope): Promise<State | null>;
  /** Applies the change only if its preconditions hold and it changes something. */
  saveChange(id: string, change: Change, context: Context, scope?: Scope): Promise<SaveOutcome<State, Event>>;
}
