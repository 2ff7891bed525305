/**
 * The errors the endpoint answers with, shaped as the RDS Data API sends them:
 * an HTTP status, the `x-amzn-ErrorType` header and a JSON body with `message`.
 * The AWS SDK picks the exception class from the header (see README.md for sources).
 */

export type DataApiErrorType =
  | 'BadRequestException'
  | 'DatabaseErrorException'
  | 'DatabaseResumingException'
  | 'DatabaseUnavailableException'
  | 'InternalServerErrorException'
  | 'SerializationException'
  | 'StatementTimeoutException'
  | 'TransactionNotFoundException'
  | 'UnknownOperationException'
  | 'UnsupportedResultException'
  | 'ValidationException';

const STATUS: Record<DataApiErrorType, number> = {
  BadRequestException: 400,
  DatabaseErrorException: 400,
  DatabaseResumingException: 400,
  DatabaseUnavailableException: 504,
  InternalServerErrorException: 500,
  SerializationException: 400,
  StatementTimeoutException: 400,
  TransactionNotFoundException: 404,
  UnknownOperationException: 404,
  UnsupportedResultException: 400,
  ValidationException: 400,
};

export class DataApiError extends Error {
  readonly status: number;

  constructor(
    readonly type: DataApiErrorType,
    message: string,
    /** Extra members of the error body (e.g. `dbConnectionId`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = type;
    this.status = STATUS[type];
  }

  body(): Record<string, unknown> {
    return { message: this.message, ...this.extra };
  }
}

export const validationError = (message: string): DataApiError => new DataApiError('ValidationException', message);

export const badRequest = (message: string): DataApiError => new DataApiError('BadRequestException', message);

export const transactionNotFound = (transactionId: string): DataApiError =>
  new DataApiError('TransactionNotFoundException', `Transaction ${transactionId} is not found`);

export const transactionBusy = (): DataApiError => new DataApiError('DatabaseErrorException', 'Transaction is still running a query');

export const statementTimeout = (dbConnectionId: number | undefined): DataApiError =>
  new DataApiError('StatementTimeoutException', 'Request timed out', dbConnectionId === undefined ? {} : { dbConnectionId });

export const responseTooLarge = (): DataApiError => badRequest('Database returned more than the allowed response size limit');

export const databaseResuming = (): DataApiError =>
  new DataApiError(
    'DatabaseResumingException',
    'The Aurora DB instance local-instance-1 is resuming after being auto-paused. Please wait a few seconds and try again.',
  );

export const databaseUnavailable = (): DataApiError =>
  new DataApiError('DatabaseUnavailableException', 'The writer instance of the DB cluster is not available. Please try again later.');

/** Failures a test can make the endpoint answer with, as the service does while the cluster is not up. */
export const INJECTABLE_FAULTS = {
  DatabaseResumingException: databaseResuming,
  DatabaseUnavailableException: databaseUnavailable,
} as const;
export type InjectableFault = keyof typeof INJECTABLE_FAULTS;

export const unsupportedResult = (message: string): DataApiError => new DataApiError('UnsupportedResultException', message);

/** The fields of a PostgreSQL error as node-postgres exposes them. */
interface PostgresErrorFields {
  severity?: string;
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
  where?: string;
}

export function isPostgresError(error: unknown): error is Error & PostgresErrorFields {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

/**
 * `ERROR: <message>` followed by the optional `Detail`, `Hint`, `Position` and `Where` lines
 * (each on a new line indented by two spaces, as the PostgreSQL JDBC driver renders them),
 * then `; SQLState: <code>`.
 */
export function formatPostgresMessage(error: PostgresErrorFields): string {
  let text = `${error.severity ?? 'ERROR'}: ${error.message}`;
  if (error.detail) text += `\n  Detail: ${error.detail}`;
  if (error.hint) text += `\n  Hint: ${error.hint}`;
  if (error.position) text += `\n  Position: ${error.position}`;
  if (error.where) text += `\n  Where: ${error.where}`;
  return `${text}; SQLState: ${error.code ?? 'XX000'}`;
}

export function databaseError(error: PostgresErrorFields): DataApiError {
  return new DataApiError('DatabaseErrorException', formatPostgresMessage(error));
}

const CONNECTION_REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN']);
const CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * A connection to the database that was lost under a statement, or could not be made, as the
 * Data API reports it: DatabaseErrorException with the PostgreSQL JDBC driver's wording and
 * SQLState (08006 connection_failure, 08001 unable to connect). Null for any other failure.
 */
export function connectionFailure(error: unknown): DataApiError | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_REFUSED.has(code)) {
    return new DataApiError('DatabaseErrorException', 'Connection attempt failed.; SQLState: 08001');
  }
  if (CONNECTION_LOST.test(error.message) || code === 'ECONNRESET' || code === 'EPIPE') {
    return new DataApiError('DatabaseErrorException', 'An I/O error occurred while sending to the backend.; SQLState: 08006');
  }
  return null;
}

/** Any failure turned into the error the endpoint answers with. */
export function toDataApiError(error: unknown): DataApiError {
  if (error instanceof DataApiError) return error;
  if (isPostgresError(error)) return databaseError(error);
  const lost = connectionFailure(error);
  if (lost) return lost;
  const message = error instanceof Error ? error.message : String(error);
  return new DataApiError('InternalServerErrorException', message);
}
