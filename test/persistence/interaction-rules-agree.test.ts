import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countsAsContact,
  INTERACTION_OUTCOMES,
  INTERACTION_TYPES,
  typeRuleIssues,
  type Direction,
} from '../../domain/interaction/interaction-type-rules.js';
import { LINK_TARGETS } from '../../functions/interactions/link-targets.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';

/**
 * The migration states the type rules and the link targets in SQL (checks, a generated column,
 * the registry the triggers read); these tests prove it says exactly what the TypeScript tables say.
 */
describe('the database and the domain agree on interaction rules', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(() => database.close());

  it('every type × direction × duration × outcome: the check accepts exactly what the type rules accept, and counts_as_contact matches', async () => {
    const past = '2025-01-01T00:00:00.000Z';
    let checked = 0;
    for (const type of INTERACTION_TYPES) {
      for (const direction of [null, 'inbound'] as (Direction | null)[]) {
        for (const durationS of [null, 60]) {
          for (const outcome of [null, ...INTERACTION_OUTCOMES]) {
            const domainAccepts =
              typeRuleIssues({ type, occurredAt: past, direction, durationS, outcome }, '2026-01-01T00:00:00.000Z').length === 0;
            const id = uuidv7();
            let databaseAccepts = true;
            try {
              await sql`insert into customer_mgmt_interactions (id, type, occurred_at, direction, duration_s, outcome, links, owner_id, source, version, created_at, updated_at)
                values (cast(${id} as uuid), ${type}, cast(${past} as timestamptz), ${direction}, ${durationS}, ${outcome}, '{}'::jsonb,
                        cast(${uuidv7()} as uuid), 'manual', 1, now(), now())`.execute(database.db);
            } catch {
              databaseAccepts = false;
            }
            const label = JSON.stringify({ type, direction, durationS, outcome });
            expect(databaseAccepts, label).toBe(domainAccepts);
            if (databaseAccepts) {
              const { rows } = await sql<{
                counts: boolean;
              }>`select counts_as_contact as counts from customer_mgmt_interactions where id = cast(${id} as uuid)`.execute(database.db);
              expect(rows[0]!.counts, label).toBe(countsAsContact({ type, outcome }));
            }
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(INTERACTION_TYPES.length * 2 * 2 * (INTERACTION_OUTCOMES.length + 1));
  });

  it('the triggers’ registry of link targets names the same tables as LINK_TARGETS', async () => {
    const { rows } = await sql<{ target_type: string; table_name: string }>`
      select target_type, table_name from customer_mgmt_interaction_targets order by target_type`.execute(database.db);
    expect(rows).toEqual(
      LINK_TARGETS.map((target) => ({ target_type: target.type, table_name: target.table })).sort((a, b) =>
        a.target_type.localeCompare(b.target_type),
      ),
    );
  });
});
