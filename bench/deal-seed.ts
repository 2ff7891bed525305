import { sql, type Kysely } from 'kysely';
import { DEFAULT_PIPELINE_ID } from '../domain/pipeline/pipeline.js';
import type { Database } from '../functions/db/database.js';
import { SALES_REP_COUNT } from './seed.js';

const OPEN_STAGES = ['qualification', 'needs_analysis', 'proposal', 'negotiation'];
const LOST_REASONS = ['price', 'competitor', 'no_budget', 'no_decision', 'timing', 'product_fit', 'other'];
const list = (values: readonly string[]) => sql.raw(`array[${values.map((value) => `'${value}'`).join(', ')}]`);

/**
 * `count` deals of the default pipeline written in bulk (two statements), with the event history
 * each would have had: DealCreated in the first stage, a DealStageChanged per stage it went on to,
 * then DealWon or DealLost. Values are deterministic by row number.
 */
export async function seedDeals(db: Kysely<Database>, count: number): Promise<void> {
  // Deterministic by n: 40 % open (spread over the four open stages), 35 % won, 25 % lost; EUR 70 %,
  // USD 20 %, GBP 10 %; created over the last two years; 25 owners (every 50th deal has none).
  await sql`
    insert into customer_mgmt_deals (id, name, pipeline_id, stage, status, amount_minor, currency, expected_close_date,
      closed_at, lost, company_id, owner_id, source, stage_entered_at, last_open_stage, version, created_at, updated_at)
    select gen_random_uuid(), 'Bench deal ' || n, cast(${DEFAULT_PIPELINE_ID} as uuid),
      case kind when 'open' then open_stage else kind end, kind, 1000 + (n * 7919) % 999000,
      case when n % 10 < 7 then 'EUR' when n % 10 < 9 then 'USD' else 'GBP' end,
      case when kind = 'open' then cast(now() + ((n % 210) - 30) * interval '1 day' as date) end,
      closed_at,
      case when kind = 'lost' then jsonb_build_object('reason', (${list(LOST_REASONS)})[1 + n % 7], 'note', null, 'competitor', null) end,
      gen_random_uuid(),
      case when n % 50 = 0 then null else cast('019b6ec4-0000-7000-8000-' || lpad(cast(1 + n % ${sql.lit(SALES_REP_COUNT)} as text), 12, '0') as uuid) end,
      (array['website', 'referral', 'event', 'partner', 'outbound'])[1 + n % 5],
      coalesce(closed_at, least(now(), created + (n % 30) * interval '1 day')),
      case when kind <> 'open' then open_stage end, 1, created, now()
    from (
      select n, kind, open_stage, created,
        case when kind <> 'open' then least(now(), created + (5 + n % 115) * interval '1 day') end as closed_at
      from (
        select n, case when n % 20 < 8 then 'open' when n % 20 < 15 then 'won' else 'lost' end as kind,
          (${list(OPEN_STAGES)})[1 + (n / 20) % 4] as open_stage,
          now() - (n % 730) * interval '1 day' - (n % 1440) * interval '1 minute' as created
        from generate_series(1, ${sql.lit(count)}) as n
      ) as base
    ) as deal`.execute(db);
  // Each deal's history: created in the first stage, one DealStageChanged per stage it went on to, then won or lost.
  await sql`
    with deal as (
      select id, status, created_at, closed_at, stage, coalesce(last_open_stage, stage) as last_open,
        array_position(${list(OPEN_STAGES)}, coalesce(last_open_stage, stage)) - 1 as moves
      from customer_mgmt_deals
    )
    insert into customer_mgmt_events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version,
      occurred_at, actor, data, published_at)
    select gen_random_uuid(), 'deal', id, 1, 'DealCreated', 1, created_at, 'bench',
      jsonb_build_object('deal', jsonb_build_object('stage', 'qualification')), now()
    from deal
    union all
    select gen_random_uuid(), 'deal', id, 1 + step, 'DealStageChanged', 1, created_at + step * interval '1 hour', 'bench',
      jsonb_build_object('stage', jsonb_build_object('from', (${list(OPEN_STAGES)})[step], 'to', (${list(OPEN_STAGES)})[step + 1])), now()
    from deal, generate_series(1, moves) as step
    union all
    select gen_random_uuid(), 'deal', id, 2 + moves, case status when 'won' then 'DealWon' else 'DealLost' end, 1, closed_at, 'bench',
      jsonb_build_object('stage', jsonb_build_object('from', last_open, 'to', stage)), now()
    from deal where status <> 'open'`.execute(db);
}
