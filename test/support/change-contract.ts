import fc from 'fast-check';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideChange, type AggregateChange, type AggregateKind, type AggregateRoot } from '../../domain/shared/aggregate-change.js';
import type { AggregateRepository } from '../../domain/shared/aggregate-repository.js';
import type { ChangeContext, DomainEvent } from '../../domain/shared/domain-event.js';
import type { DomainError } from '../../domain/errors.js';
import type { Result } from '../../domain/shared/result.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../functions/db/database.js';
import { availableDialects, openTestDatabase, type TestDatabase } from './test-databases.js';

/** One change a contract tries: built for the step's clock from the state the domain believes current. */
export interface ContractStep<State, EventType extends string, Field extends keyof State> {
  readonly name: string;
  readonly build: (now: string, current: State) => AggregateChange<State, EventType, Field>;
}

export interface ChangeContractSpec<State extends AggregateRoot, Field extends keyof State, EventType extends string, Scope> {
  /** The aggregate's name in test titles. */
  readonly aggregate: string;
  readonly kind: AggregateKind<State, Field>;
  /** The aggregate's repository over a test database (prerequisite rows may be inserted here). */
  readonly repository: (
    db: Kysely<Database>,
  ) => Promise<AggregateRepository<State, AggregateChange<State, EventType, Field>, DomainEvent<EventType>, ChangeContext, Scope>>;
  /** A new aggregate and its creation event, as the domain builds them. */
  readonly create: (
    context: ChangeContext & { readonly id: string },
  ) => Result<{ entity: State; event: DomainEvent<EventType> }, DomainError>;
  /** The changes to combine: lifecycle commands, field updates, no-ops, refusals. */
  readonly steps: readonly ContractStep<State, EventType, Field>[];
}

let clock = Date.parse('2025-06-01T08:00:00.000Z');
const nextContext = (): ChangeContext => ({ eventId: uuidv7(), now: new Date((clock += 1000)).toISOString(), actor: 'contract-test' });

/**
 * Proves, for any aggregate on every dialect, that the one-statement SQL path and the pure
 * domain decide every change identically: applied with the same state and the same event, no-op,
 * or refused (with nothing written), and a deleted aggregate gone — over random sequences of the aggregate's changes, with and
 * without a matching If-Match version.
 */
export function describeChangeContract<State extends AggregateRoot, Field extends keyof State, EventType extends string, Scope>(
  spec: ChangeContractSpec<State, Field, EventType, Scope>,
): void {
  describe.each(availableDialects())(`${spec.aggregate}: the SQL write path decides exactly like the domain, on %s`, (dialect) => {
    let database: TestDatabase;
    let repository: Awaited<ReturnType<typeof spec.repository>>;
    beforeAll(async () => {
      database = await openTestDatabase(dialect);
      repository = await spec.repository(database.db);
    });
    afterAll(() => database?.close());

    async function stored(): Promise<State> {
      const created = spec.create({ ...nextContext(), id: uuidv7() });
      if (!created.ok) throw new Error(`the domain refused to create: ${created.error.message}`);
      // An insert may also return what its statement read (a customer: its possible duplicates).
      expect(await repository.insert(created.value.entity, created.value.event)).toMatchObject({ kind: 'inserted' });
      return created.value.entity;
    }

    const step = fc.record({
      index: fc.nat({ max: spec.steps.length - 1 }),
      version: fc.constantFrom('none', 'current', 'stale') as fc.Arbitrary<'none' | 'current' | 'stale'>,
    });

    it('over random sequences of changes: same outcome, same state, same event, nothing written on refusal', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (sequence) => {
          let current = await stored();
          for (const { index, version } of sequence) {
            const context = nextContext();
            const built = spec.steps[index]!.build(context.now, current);
            const expectedVersion = version === 'none' ? undefined : version === 'current' ? current.version : current.version + 7;
            const change = expectedVersion === undefined ? built : { ...built, expectedVersion };
            const decided = decideChange(spec.kind, current, change, context);
            const saved = await repository.saveChange(current.id, change, context);
            const label = `${spec.steps[index]!.name} (If-Match: ${version})`;
            if (current.deletedAt !== null) {
              expect(saved, label).toEqual({ kind: 'not_applied' });
              expect(await repository.findById(current.id), label).toBeNull();
            } else if (decided.ok && decided.value.kind === 'changed') {
              expect(saved, label).toEqual({ kind: 'saved', entity: decided.value.entity, event: decided.value.event });
              current = decided.value.entity;
            } else {
              expect(saved, label).toEqual({ kind: 'not_applied' });
              expect(await repository.findById(current.id), label).toEqual(current);
            }
          }
        }),
        { numRuns: 20 },
      );
    });

    it('treats a missing aggregate as not applied', async () => {
      const context = nextContext();
      const change = spec.steps[0]!.build(context.now, await stored());
      expect(await repository.saveChange(uuidv7(), change, context)).toEqual({ kind: 'not_applied' });
    });
  });
}
