/**
 * What a failed statement means to us, whichever driver reported it: pg puts the SQLSTATE in
 * `code` and the constraint in `constraint`; the Data API raises DatabaseErrorException whose
 * message ends in `SQLState: 23505` and names the constraint in the text.
 */
export type DatabaseFailure =
  | { readonly kind: 'unique_violation'; readonly constraint: string | null }
  | { readonly kind: 'check_violation'; readonly constraint: string | null }
  | { readonly kind: 'serialization_failure' }
  /** The database cannot take statements now (Aurora resuming from zero, writer unavailable, connection dropped). */
  | { readonly kind: 'unavailable' };

// Data API exceptions that mean the database could not take the call (nothing was applied).
const UNAVAILABLE_EXCEPTIONS = new Set(['DatabaseResumingException', 'DatabaseUnavailableException', 'ServiceUnavailableError']);

// Socket failures node-postgres passes on when the server cannot be reached (restarting, failing over).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

// node-postgres reports a connection lost under a query, or never made, with these messages and no code.
const CONNECTION_LOST =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect)/;

/**
 * SQLSTATEs of a connection the server dropped or refused: class 08 (connection exception) and
 * the 57P0x family (57P01 admin_shutdown — pg_terminate_backend, a restart; 57P02 crash_shutdown;
 * 57P03 cannot_connect_now — starting up or in recovery; 57P05 idle_session_timeout), plus 53300
 * too_many_connections. 57014 (query_canceled, a statement timeout) is not one of them.
 */
function isUnavailableState(state: string): boolean {
  return state.startsWith('08') || /^57P0[1235]$/.test(state) || state === '53300';
}

export function classifyDatabaseError(error: unknown): DatabaseFailure | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, constraint, message, name } = error as { code?: unknown; constraint?: unknown; message?: unknown; name?: unknown };
  if (typeof name === 'string' && UNAVAILABLE_EXCEPTIONS.has(name)) return { kind: 'unavailable' };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return { kind: 'unavailable' };
  let state: string | null = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
  let constraintName: string | null = typeof constraint === 'string' ? constraint : null;
  if (state === null && name === 'DatabaseErrorException' && typeof message === 'string') {
    state = /SQLState: ([0-9A-Z]{5})\s*$/.exec(message)?.[1] ?? null;
    constraintName = /constraint "([^"]+)"/.exec(message)?.[1] ?? null;
  }
  if (state === null && typeof message === 'string' && CONNECTION_LOST.test(message)) return { kind: 'unavailable' };
  if (state !== null && isUnavailableState(state)) return { kind: 'unavailable' };
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
