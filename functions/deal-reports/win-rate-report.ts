import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { DEALS } from '../deals/deal-table.js';
import type { ReportWindow } from './report-window.js';
import { ownerConditions, share, whole, type ReportScope } from './report-sql.js';

export const WIN_RATE_GROUPS = ['owner', 'pipeline', 'source'] as const;
export type WinRateGroup = (typeof WIN_RATE_GROUPS)[number];

/** Groups one answer lists at most (the ones with most closed deals); the rest is counted in `other_groups`. */
export const MAX_WIN_RATE_GROUPS = 100;

export type WinRateCurrency = {
  readonly currency: string;
  readonly won: number;
  readonly lost: number;
  readonly won_minor: number;
  readonly lost_minor: number;
  /** won_minor / (won_minor + lost_minor): the share of the money that was won. */
  readonly win_rate_by_amount: number | null;
};

export type WinRateGroupFigures = {
  readonly key: string | null;
  readonly won: number;
  readonly lost: number;
  readonly win_rate: number | null;
  readonly currencies: readonly WinRateCurrency[];
  readonly lost_reasons: readonly { readonly reason: string; readonly deals: number; readonly share: number | null }[];
};

export interface WinRateRow {
  group_key: string | null;
  currency: string;
  status: 'won' | 'lost';
  lost_reason: string | null;
  deals: unknown;
  amount: unknown;
}

const GROUP_COLUMN = {
  owner: sql`cast(d.owner_id as text)`,
  pipeline: sql`cast(d.pipeline_id as text)`,
  source: sql`d.source`,
} as const;

/** The report's one statement (its plan is checked by test/persistence/deal-report-indexes.test.ts). */
export function winRateStatement(query: ReportWindow & { readonly groupBy?: WinRateGroup | undefined }, scope: ReportScope) {
  return sql<WinRateRow>`
    select ${query.groupBy === undefined ? sql`cast(null as text)` : GROUP_COLUMN[query.groupBy]} as group_key,
      d.currency, d.status, d.lost_reason, count(*) as deals, sum(d.amount_minor) as amount
    from ${sql.table(DEALS)} d
    where d.deleted_at is null and d.status in ('won', 'lost')
      and d.closed_at >= ${param.timestamptz(query.from)} and d.closed_at < ${param.timestamptz(query.to)}
      and ${ownerConditions(scope)}
    group by 1, 2, 3, 4
    order by 1, 2, 3, 4`;
}

/**
 * Deals closed (won or lost) with `closed_at` in the window: win rate = won / (won + lost) by
 * count, and per currency by amount; the lost reasons with their share of the lost deals. By
 * owner, pipeline or source, or all together. One statement; the grouping is done here.
 */
export async function winRateReport(
  db: Kysely<Database>,
  query: ReportWindow & { readonly groupBy?: WinRateGroup | undefined },
  scope: ReportScope,
): Promise<{ groups: WinRateGroupFigures[]; other_groups: number }> {
  const { rows } = await winRateStatement(query, scope).execute(db);
  return winRateGroups(rows);
}

/** The groups of the statement's rows, most closed deals first (then by key), at most MAX_WIN_RATE_GROUPS of them. */
export function winRateGroups(rows: readonly WinRateRow[]): { groups: WinRateGroupFigures[]; other_groups: number } {
  const byGroup = new Map<string | null, WinRateRow[]>();
  for (const row of rows) {
    const own = byGroup.get(row.group_key);
    if (own) own.push(row);
    else byGroup.set(row.group_key, [row]);
  }
  const groups = [...byGroup.entries()].map(([key, own]) => groupFigures(key, own));
  groups.sort((a, b) => b.won + b.lost - (a.won + a.lost) || String(a.key).localeCompare(String(b.key)));
  return { groups: groups.slice(0, MAX_WIN_RATE_GROUPS), other_groups: Math.max(0, groups.length - MAX_WIN_RATE_GROUPS) };
}

function groupFigures(key: string | null, rows: readonly WinRateRow[]): WinRateGroupFigures {
  const count = (status: string, currency?: string) =>
    rows
      .filter((row) => row.status === status && (currency === undefined || row.currency === currency))
      .reduce((n, row) => n + whole(row.deals), 0);
  const amount = (status: string, currency: string) =>
    rows.filter((row) => row.status === status && row.currency === currency).reduce((n, row) => n + whole(row.amount), 0);
  const won = count('won');
  const lost = count('lost');
  const currencies = [...new Set(rows.map((row) => row.currency))].sort().map((currency) => {
    const wonMinor = amount('won', currency);
    const lostMinor = amount('lost', currency);
    return {
      currency,
      won: count('won', currency),
      lost: count('lost', currency),
      won_minor: wonMinor,
      lost_minor: lostMinor,
      win_rate_by_amount: share(wonMinor, wonMinor + lostMinor),
    };
  });
  const reasons = new Map<string, number>();
  for (const row of rows)
    if (row.status === 'lost') reasons.set(row.lost_reason ?? 'other', (reasons.get(row.lost_reason ?? 'other') ?? 0) + whole(row.deals));
  return {
    key,
    won,
    lost,
    win_rate: share(won, won + lost),
    currencies,
    lost_reasons: [...reasons.entries()]
      .sort(([a, n], [b, m]) => m - n || a.localeCompare(b))
      .map(([reason, deals]) => ({ reason, deals, share: share(deals, lost) })),
  };
}
