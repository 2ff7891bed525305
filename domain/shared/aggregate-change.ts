import type { DomainError } from '../errors.js';
import type { ChangeContext, DomainEvent } from './domain-event.js';
import type { JsonObject, JsonValue } from './json.js';
import { err, ok, type Result } from './result.js';
import type { Timestamp } from './timestamp.js';

/**
 * What every aggregate has: an identity, a version that counts its changes, when it last changed,
 * and when it was (soft) deleted — a deleted aggregate is gone for every read and change.
 */
export interface AggregateRoot {
  readonly id: string;
  readonly version: number;
  readonly updatedAt: Timestamp;
  readonly deletedAt: Timestamp | null;
}

/**
 * A change applies only while `field` holds one of `oneOf` (e.g. a lifecycle command's source
 * status). `field` is a field of the aggregate, or a name its table module knows for state the
 * aggregate keeps elsewhere (then `read` reads it).
 */
export interface Precondition<State> {
  readonly field: string;
  readonly oneOf: readonly unknown[];
  readonly read?: (state: State) => unknown;
  /** Why the change is refused when the field holds something else. */
  readonly refusal: (current: State) => DomainError;
}

/**
 * A change to an existing aggregate, described as data: the fields it sets, the precondition it
 * needs and the event that records it. `decideChange` decides it against a loaded aggregate; the
 * write kit enforces the same rules inside one SQL statement and falls back to `decideChange`
 * (to say why) when they do not hold.
 */
export interface AggregateChange<State, EventType extends string, Field extends keyof State = keyof State> {
  readonly event: EventType;
  readonly set: Partial<Pick<State, Field>>;
  /** Checked in order after the version; the first that fails explains the refusal. */
  readonly requires?: readonly Precondition<State>[];
  /** When present (If-Match), the change is allowed only on exactly this version. */
  readonly expectedVersion?: number;
  /** Event data beyond the changed fields, e.g. a churn reason. */
  readonly note?: JsonObject;
}

/** What the change core needs to know about one kind of aggregate. */
export interface AggregateKind<State extends AggregateRoot, Field extends keyof State> {
  /** The stream type of its events: `customer`, `company`, … */
  readonly type: string;
  /** The public (API and event) name of each field a change may set. */
  readonly publicNames: Readonly<Record<Field, string>>;
  /** Fields whose values are equal by more than `===`, e.g. a tag set compares as a set. */
  readonly sameValue?: { readonly [K in Field]?: (a: State[K], b: State[K]) => boolean };
  /**
   * Personal content (e.g. an interaction's subject and body) that must stay out of events: a
   * change to such a field is recorded as `{"changed": true}`, without its values.
   */
  readonly personal?: readonly Field[];
  /** Facts every change event carries beyond its changes, read from the state after the change (e.g. ids and links). */
  eventFacts?(next: State): JsonObject;
  versionMismatch(expected: number, current: State): DomainError;
  /** Rules every state must keep (the database enforces them too); null when the new state does. */
  invariant?(next: State, current: State): DomainError | null;
}

export type ChangeOutcome<State, Event> =
  { readonly kind: 'changed'; readonly entity: State; readonly event: Event } | { readonly kind: 'unchanged'; readonly entity: State };

/** Whether a field's new value differs from its current one. */
export function fieldChanges<State extends AggregateRoot, Field extends keyof State>(
  kind: AggregateKind<State, Field>,
  field: Field,
  current: State[Field],
  next: State[Field],
): boolean {
  const same = kind.sameValue?.[field];
  return same ? !same(current, next) : current !== next;
}

/** Decides a change against the current state: the new state and its event, a no-op, or why not. */
export function decideChange<State extends AggregateRoot, EventType extends string, Field extends keyof State>(
  kind: AggregateKind<State, Field>,
  current: State,
  change: AggregateChange<State, EventType, Field>,
  context: ChangeContext,
): Result<ChangeOutcome<State, DomainEvent<EventType>>, DomainError> {
  if (change.expectedVersion !== undefined && change.expectedVersion !== current.version) {
    return err(kind.versionMismatch(change.expectedVersion, current));
  }
  for (const precondition of change.requires ?? []) {
    const value = precondition.read ? precondition.read(current) : current[precondition.field as keyof State];
    if (!precondition.oneOf.includes(value)) return err(precondition.refusal(current));
  }

  const fields = (Object.keys(change.set) as Field[]).filter((field) =>
    fieldChanges(kind, field, current[field], change.set[field] as State[Field]),
  );
  if (fields.length === 0) return ok({ kind: 'unchanged', entity: current });

  const next: State = { ...current, ...change.set, version: current.version + 1, updatedAt: context.now };
  const broken = kind.invariant?.(next, current);
  if (broken) return err(broken);

  const changes: Record<string, JsonValue> = {};
  for (const field of fields) {
    changes[kind.publicNames[field]] = kind.personal?.includes(field)
      ? { changed: true }
      : { from: current[field] as JsonValue, to: next[field] as JsonValue };
  }
  const event: DomainEvent<EventType> = {
    eventId: context.eventId,
    type: change.event,
    eventVersion: 1,
    aggregateType: kind.type,
    aggregateId: current.id,
    aggregateVersion: next.version,
    occurredAt: context.now,
    actor: context.actor,
    data: { changes, ...kind.eventFacts?.(next), ...change.note },
  };
  return ok({ kind: 'changed', entity: next, event });
}
