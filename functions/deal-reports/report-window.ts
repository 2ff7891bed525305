import type { FieldIssue } from '../../domain/errors.js';

const DAY_MS = 86_400_000;

/** A window of time, `from` inclusive and `to` exclusive (ISO instants, UTC). */
export interface ReportWindow {
  readonly from: string;
  readonly to: string;
}

/** Days a report window may span: two years, enough for a year-on-year look and still one bounded scan. */
export const MAX_WINDOW_DAYS = 731;
/** Without `from`, a window starts this many days before `to` (as the lifecycle funnel does). */
export const DEFAULT_WINDOW_DAYS = 90;

/** The window of a closed-deal report: `to` defaults to now and `from` to 90 days before it; from ≤ to, at most two years. */
export function resolveWindow(query: { from?: string | undefined; to?: string | undefined }, now: Date): ReportWindow | FieldIssue {
  const to = query.to ?? now.toISOString();
  const from = query.from ?? new Date(Date.parse(to) - DEFAULT_WINDOW_DAYS * DAY_MS).toISOString();
  if (Date.parse(from) > Date.parse(to)) return { field: 'from', message: `must not be after to (${to})` };
  if (Date.parse(to) - Date.parse(from) > MAX_WINDOW_DAYS * DAY_MS) {
    return { field: 'to', message: `the window may span at most ${MAX_WINDOW_DAYS} days; narrow from/to` };
  }
  return { from, to };
}

export const FORECAST_PERIODS = ['month', 'quarter'] as const;
export type ForecastPeriod = (typeof FORECAST_PERIODS)[number];

/** Periods one forecast may cover: two years of months, six of quarters. */
export const MAX_FORECAST_PERIODS = 24;
/** Without `to`, a forecast covers this many periods from `from`'s period. */
const DEFAULT_FORECAST_PERIODS: Record<ForecastPeriod, number> = { month: 3, quarter: 4 };

/** One calendar period of a forecast (UTC dates, both inclusive) and its label (`2026-11`, `2026-Q4`). */
export type Period = {
  readonly label: string;
  readonly start: string;
  readonly end: string;
};

const monthsIn = (period: ForecastPeriod) => (period === 'month' ? 1 : 3);
/** Months since year 0 of the first month of the period holding `date` (`YYYY-MM-DD`). */
function periodIndex(date: string, period: ForecastPeriod): number {
  const months = Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
  return months - (months % monthsIn(period));
}
const isoDate = (year: number, monthIndex: number, day: number) => new Date(Date.UTC(year, monthIndex, day)).toISOString().slice(0, 10);

function periodAt(index: number, period: ForecastPeriod): Period {
  const year = Math.floor(index / 12);
  const month = index % 12;
  const label = period === 'month' ? `${year}-${String(month + 1).padStart(2, '0')}` : `${year}-Q${month / 3 + 1}`;
  return { label, start: isoDate(year, month, 1), end: isoDate(year, month + monthsIn(period), 0) };
}

/**
 * The periods of a forecast: from the one holding `from` (default: today) to the one holding `to`
 * (default: 3 months or 4 quarters in all), both included; from ≤ to, at most 24 periods.
 */
export function resolvePeriods(
  query: { from?: string | undefined; to?: string | undefined; period: ForecastPeriod },
  now: Date,
): Period[] | FieldIssue {
  const from = (query.from ?? now.toISOString()).slice(0, 10);
  const first = periodIndex(from, query.period);
  const last =
    query.to === undefined
      ? first + (DEFAULT_FORECAST_PERIODS[query.period] - 1) * monthsIn(query.period)
      : periodIndex(query.to, query.period);
  if (query.to !== undefined && query.to.slice(0, 10) < from)
    return { field: 'from', message: `must not be after to (${query.to.slice(0, 10)})` };
  const count = (last - first) / monthsIn(query.period) + 1;
  if (count > MAX_FORECAST_PERIODS) {
    return { field: 'to', message: `a forecast covers at most ${MAX_FORECAST_PERIODS} periods; this asks for ${count}` };
  }
  return Array.from({ length: count }, (_, k) => periodAt(first + k * monthsIn(query.period), query.period));
}
