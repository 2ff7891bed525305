import { sql, type RawBuilder } from 'kysely';
import { param } from '../db/sql-values.js';

/** Whose deals a report counts: every deal, or (for a sales rep, or an `owner_id` filter) one owner's. */
export interface ReportScope {
  /** The caller's own id when they are owner-scoped (a sales rep): always ANDed in. */
  readonly ownerId?: string | undefined;
}

/** The owner conditions on deals aliased `d`: the caller's scope and an optional filter, both must hold. */
export function ownerConditions(scope: ReportScope, filter?: string | undefined): RawBuilder<boolean> {
  const owners = [scope.ownerId, filter].filter((owner): owner is string => owner !== undefined);
  if (owners.length === 0) return sql<boolean>`true`;
  return sql<boolean>`${sql.join(
    owners.map((owner) => sql`d.owner_id = ${param.uuid(owner)}`),
    sql` and `,
  )}`;
}

/** A count or sum as pg (number, bigint text) or the Data API (long, numeric text) returns it; null is 0. */
export const whole = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
/** An average or ratio that may be absent (no rows): null stays null. */
export const nullableNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
/** A share in [0, 1] of two counts, rounded to 4 places; null when there is nothing to divide. */
export const share = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);
/** Days rounded to one decimal. */
export const days = (value: number | null): number | null => (value === null ? null : Math.round(value * 10) / 10);
