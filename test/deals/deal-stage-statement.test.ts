import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageCommand, type StageCommand } from '../../domain/deal/deal-stages.js';
import type { ChangeContext } from '../../domain/shared/domain-event.js';
import { createDealRepository } from '../../functions/deals/deal-repository.js';
import { stageStatement, type StageCommandInput } from '../../functions/deals/deal-stage-statement.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, newCustomerBody, steppingClock, type ApiHarness } from '../support/api-harness.js';

/** Undoes a transaction on purpose, carrying what it saw. */
class Rollback extends Error {
  constructor(readonly outcome: unknown) {
    super('rollback');
  }
}

/**
 * The stage commands' write statement (functions/deals/deal-stage-statement.ts) decides in SQL what
 * `stageCommand` decides in TypeScript from the deal and its pipeline. Each case is saved both ways
 * on the same deal, each in a transaction rolled back: the same deal and the same event, or both
 * refused (the statement not applied where the domain answers an error).
 */
describe.each(availableDialects())('deal stage statement on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let customerId: string;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'));
    customerId = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id;
  });
  afterAll(() => database.close());

  /** A deal brought to `status` through the API (won and lost deals remember the stage they closed from). */
  async function dealIn(stage: string, status: 'open' | 'won' | 'lost'): Promise<string> {
    const id = (await api.call({ method: 'POST', path: `${BASE}/deals`, body: { name: 'Renewal', primary_customer_id: customerId } })).body
      .data.id;
    if (stage !== 'qualification') await api.call({ method: 'POST', path: `${BASE}/deals/${id}/stage`, body: { stage } });
    if (status === 'won') await api.call({ method: 'POST', path: `${BASE}/deals/${id}/win` });
    if (status === 'lost') await api.call({ method: 'POST', path: `${BASE}/deals/${id}/lose`, body: { lost_reason: 'price' } });
    return id;
  }

  async function bothWays(id: string, command: StageCommand, input: StageCommandInput, now: string) {
    const current = (await createDealRepository(database.db).findWithPipeline(id))!;
    const ctx: ChangeContext = { eventId: randomUUID(), now, actor: 'tester' };
    const inTransaction = async (save: (store: ReturnType<typeof createDealRepository>['store']) => Promise<unknown>) => {
      try {
        await database.db.transaction().execute(async (trx) => {
          throw new Rollback(await save(createDealRepository(trx).store));
        });
      } catch (error) {
        if (error instanceof Rollback) return error.outcome as { kind: string; entity?: unknown; event?: { data: unknown } };
        throw error;
      }
      throw new Error('not rolled back');
    };
    const built = stageCommand(current.deal, current.pipeline, command, now, input);
    const domain = built.ok ? await inTransaction((store) => store.saveChange(id, built.value, ctx)) : { kind: 'refused' };
    const statement = stageStatement(command, input, now);
    const sql = await inTransaction((store) => store.saveChange(id, statement.change, ctx, { computed: statement.computed }));
    return { domain, sql, error: built.ok ? null : built.error.code };
  }

  const cases: [string, string, 'open' | 'won' | 'lost', StageCommand, StageCommandInput][] = [
    ['move forward', 'qualification', 'open', 'move', { stage: 'proposal' }],
    ['move backward', 'negotiation', 'open', 'move', { stage: 'needs_analysis' }],
    ['move to the stage it is in', 'proposal', 'open', 'move', { stage: 'proposal' }],
    ['move to a stage the pipeline lacks', 'proposal', 'open', 'move', { stage: 'nowhere' }],
    ['move to the won stage', 'proposal', 'open', 'move', { stage: 'won' }],
    ['move a won deal', 'proposal', 'won', 'move', { stage: 'proposal' }],
    ['win into the default won stage', 'negotiation', 'open', 'win', {}],
    ['win closed in the past', 'proposal', 'open', 'win', { closedAt: '2026-02-01T00:00:00.000Z' }],
    ['win into an open stage', 'proposal', 'open', 'win', { stage: 'proposal' }],
    ['lose with a listed reason', 'proposal', 'open', 'lose', { lost: { reason: 'price', note: 'too dear', competitor: 'Acme' } }],
    ['lose with a reason the pipeline lacks', 'proposal', 'open', 'lose', { lost: { reason: 'bored' } }],
    ['reopen a won deal', 'negotiation', 'won', 'reopen', {}],
    ['reopen a lost deal', 'needs_analysis', 'lost', 'reopen', {}],
    ['reopen an open deal', 'proposal', 'open', 'reopen', {}],
  ];

  for (const [name, stage, status, command, input] of cases) {
    it(`${name}: the statement decides as the domain does`, async () => {
      const id = await dealIn(stage, status);
      const { domain, sql, error } = await bothWays(id, command, input, '2026-03-02T10:30:00.500Z');
      if (error !== null) {
        expect(sql.kind).toBe('not_applied');
        return;
      }
      expect(sql.kind).toBe('saved');
      expect(sql.entity).toEqual(domain.entity);
      expect(sql.event!.data).toEqual(domain.event!.data);
    });
  }
});
