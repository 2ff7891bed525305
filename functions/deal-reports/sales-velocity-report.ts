import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { DEALS } from '../deals/deal-table.js';
import type { ReportWindow } from './report-window.js';
import { days, nullableNumber, ownerConditions, share, whole, type ReportScope } from './report-sql.js';

export type SalesVelocity = {
  readonly currency: string;
  /** Deals open now. */
  readonly open_deals: number;
  readonly won: number;
  readonly lost: number;
  /** won / (won + lost), of the deals closed in the window. */
  readonly win_rate: number | null;
  /** The mean amount of the deals won in the window (those with an amount), rounded to the minor unit. */
  readonly average_won_minor: number | null;
  /** The mean days from created_at to closed_at of the deals won in the window (a close recorded before creation counts 0). */
  readonly average_sales_cycle_days: number | null;
  /** open_deals × average_won_minor × win_rate ÷ average_sales_cycle_days: minor units per day. */
  readonly velocity_minor_per_day: number | null;
};

interface VelocityRow {
  currency: string;
  open_deals: unknown;
  won: unknown;
  lost: unknown;
  average_won: unknown;
  average_cycle_days: unknown;
}

/** The report's one statement (its plan is checked by test/persistence/deal-report-indexes.test.ts). */
export function salesVelocityStatement(window: ReportWindow, scope: ReportScope) {
  return sql<VelocityRow>`
    with open_deals as (
      select d.currency, count(*) as open_deals from ${sql.table(DEALS)} d
      where d.deleted_at is null and d.status = 'open' and ${ownerConditions(scope)}
      group by d.currency
    ), closed as (
      select d.currency,
        count(*) filter (where d.status = 'won') as won,
        count(*) filter (where d.status = 'lost') as lost,
        avg(d.amount_minor) filter (where d.status = 'won') as average_won,
        -- A deal won within a day (or closed before it was created: imported history) took one day:
        -- the cycle divides, and a cycle of minutes would turn one win into an absurd rate per day.
        avg(greatest(1, extract(epoch from d.closed_at - d.created_at) / 86400)) filter (where d.status = 'won') as average_cycle_days
      from ${sql.table(DEALS)} d
      where d.deleted_at is null and d.status in ('won', 'lost')
        and d.closed_at >= ${param.timestamptz(window.from)} and d.closed_at < ${param.timestamptz(window.to)}
        and ${ownerConditions(scope)}
      group by d.currency
    )
    select coalesce(o.currency, c.currency) as currency, o.open_deals, c.won, c.lost, c.average_won, c.average_cycle_days
    from open_deals o full join closed c on c.currency = o.currency
    order by 1`;
}

/**
 * Sales velocity per currency: the deals open now, and the deals closed in the window for the win
 * rate, the average won amount and the average sales cycle. One statement.
 */
export async function salesVelocityReport(db: Kysely<Database>, window: ReportWindow, scope: ReportScope): Promise<SalesVelocity[]> {
  const { rows } = await salesVelocityStatement(window, scope).execute(db);
  return rows.map((row) => {
    const openDeals = whole(row.open_deals);
    const won = whole(row.won);
    const lost = whole(row.lost);
    const winRate = share(won, won + lost);
    const averageWon = nullableNumber(row.average_won);
    const cycle = nullableNumber(row.average_cycle_days);
    // Computed from the unrounded factors; each factor is shown rounded.
    const velocity =
      winRate === null || averageWon === null || cycle === null
        ? null
        : Math.round((openDeals * averageWon * (won / (won + lost))) / cycle);
    return {
      currency: row.currency,
      open_deals: openDeals,
      won,
      lost,
      win_rate: winRate,
      average_won_minor: averageWon === null ? null : Math.round(averageWon),
      average_sales_cycle_days: days(cycle),
      velocity_minor_per_day: velocity,
    };
  });
}
