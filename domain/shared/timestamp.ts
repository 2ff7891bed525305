import { err, ok, type Result } from './result.js';

/** Timestamps travel through the domain as ISO-8601 UTC strings with milliseconds. */
export type Timestamp = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

export interface TimestampRules {
  /** A date-time must say its offset (`Z`, `+02:00`); without this rule a missing offset means UTC. */
  readonly requireOffset?: boolean;
  /** Accept a bare date (`2025-12-30`, midnight UTC). */
  readonly allowDate?: boolean;
}

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * Reads an ISO-8601 date or date-time strictly, as PostgreSQL would store it: the date must
 * exist (2025-02-30 does not; JavaScript would read it as 2 March), and the instant, once its
 * offset is applied, must fall in the years 1 to 9999. Returns the instant in UTC with milliseconds.
 */
export function parseTimestamp(input: string, rules: TimestampRules = {}): Result<Timestamp, string> {
  const example = rules.allowDate ? 'e.g. 2025-12-30 or 2025-12-30T10:00:00Z' : 'e.g. 2025-12-30T10:00:00Z';
  const match = ISO.exec(input);
  if (!match) return err(`must be an ISO-8601 ${rules.allowDate ? 'date or date-time' : 'date-time'}, ${example}`);
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  if (h === undefined && !rules.allowDate) return err(`must be an ISO-8601 date-time with a time, ${example}`);
  if (h !== undefined && offset === undefined && rules.requireOffset) return err(`must give its offset (Z or ±HH:MM), ${example}`);
  const [year, month, day, hour, minute, second] = [y, mo, d, h ?? '0', mi ?? '0', s ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1) return err('must be in the years 0001 to 9999 (there is no year 0)');
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return err(`is not a date that exists (${y}-${mo}-${d})`);
  if (hour > 23 || minute > 59 || second > 59) return err(`is not a time that exists (${h}:${mi ?? '00'}:${s ?? '00'})`);
  let offsetMinutes = 0;
  if (offset !== undefined && offset !== 'Z') {
    const [offsetHours, offsetRest] = [Number(offset.slice(1, 3)), Number(offset.slice(3).replace(':', '') || '0')];
    if (offsetHours > 23 || offsetRest > 59) return err(`has an offset that does not exist (${offset})`);
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetRest);
  }
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, Number((fraction ?? '0').padEnd(3, '0').slice(0, 3)));
  const instant = new Date(local.getTime() - offsetMinutes * 60_000);
  const utcYear = instant.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return err('must be in the years 0001 to 9999 in UTC, once its offset is applied');
  return ok(instant.toISOString());
}
