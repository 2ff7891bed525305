/**
 * What a failed statement means to us, whichever driver reported it: pg puts the SQLSTATE in
 * `code` and the constraint in `constraint`; the Data API raises DatabaseErrorException whose
 * message ends in `SQLState: 23505` and names the constraint in the text.
 */
export type DatabaseFailure =
  | { readonly kind: 'unique_violation'; readonly constraint: string | null }
  | { readonly kind: 'check_violation'; readonly constraint: string | null }
  | { readonly kind: 'serialization_failure' }
  /** The database cannot take statements now (Aurora resuming from zero, writer unavailable). */
  | { readonly kind: 'unavailable' };

export function classifyDatabaseError(error: unknown): DatabaseFailure | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, constraint, message, name } = error as { code?: unknown; constraint?: unknown; message?: unknown; name?: unknown };
  if (name === 'DatabaseResumingException' || name === 'DatabaseUnavailableException') return { kind: 'unavailable' };
  let state: string | null = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
  let constraintName: string | null = typeof constraint === 'string' ? constraint : null;
  if (state === null && name === 'DatabaseErrorException' && typeof message === 'string') {
    state = /SQLState: ([0-9A-Z]{5})\s*$/.exec(message)?.[1] ?? null;
    constraintName = /constraint "([^"]+)"/.exec(message)?.[1] ?? null;
  }
  switch (state) {
    case '23505':
      return { kind: 'unique_violation', constraint: constraintName };
    case '23514':
      return { kind: 'check_violation', constraint: constraintName };
    case '40001':
    case '40P01':
      return { kind: 'serialization_failure' };
    default:
      return null;
  }
}
