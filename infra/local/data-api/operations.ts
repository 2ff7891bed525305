/**
 * The five Data API operations on a pg.Pool: each takes the parsed request body and returns the
 * response body (or throws a DataApiError). Statements outside a transaction wait for a pooled
 * connection; statements inside one use the connection the transaction holds.
 */
import type pg from 'pg';
import { columnMetadata } from './column-metadata.js';
import { responseTooLarge, toDataApiError, validationError } from './errors.js';
import { stringifyExact } from './exact-json.js';
import { type Executor, type RawResult, type Scope, type Statement } from './executor.js';
import { bindParameters } from './parameters.js';
import { validateBatchExecute, validateBeginTransaction, validateEndTransaction, validateExecute } from './request-validation.js';
import { toJsonRecords, toRecords } from './results.js';
import { scanSql } from './sql-scanner.js';
import { lookupColumns, type TypeCatalog } from './type-catalog.js';
import type { TransactionEntry, TransactionRegistry } from './transactions.js';
import type {
  BatchExecuteStatementRequest,
  BeginTransactionRequest,
  EndTransactionRequest,
  ExecuteStatementRequest,
  WireSqlParameter,
} from './wire-types.js';

/** A response body, serialised lazily so its size can be checked. */
export interface OperationResponse {
  readonly json: string;
}

export interface OperationsDependencies {
  readonly pool: pg.Pool;
  readonly transactions: TransactionRegistry;
  readonly executor: Executor;
  readonly catalog: TypeCatalog;
  readonly maxResponseBytes: number;
}

/** The connection a call runs on, and how to give it back. */
interface Session {
  readonly client: pg.PoolClient;
  readonly transaction: TransactionEntry | undefined;
}

function compile(sql: string): { text: string; names: readonly string[] } {
  const scanned = scanSql(sql);
  if (scanned.multipleStatements) throw validationError("Multistatements aren't supported.");
  return scanned;
}

function bind(text: string, names: readonly string[], parameters: readonly WireSqlParameter[] | undefined): Statement {
  const bound = bindParameters(names, parameters);
  return { text, values: bound.values, typeOids: bound.typeOids };
}

export class DataApiOperations {
  constructor(private readonly deps: OperationsDependencies) {}

  async executeStatement(request: ExecuteStatementRequest): Promise<OperationResponse> {
    validateExecute(request);
    const { text, names } = compile(request.sql as string);
    const statement = bind(text, names, request.parameters);
    const session = await this.#open(request.transactionId);
    let releaseLater: Promise<void> | undefined;
    try {
      const outcome = await this.deps.executor.run(session.client, [statement], {
        scope: this.#scope(session, 'autocommit'),
        continueAfterTimeout: request.continueAfterTimeout === true,
      });
      if (outcome.kind === 'timedOut') {
        releaseLater = outcome.settled;
        throw outcome.error;
      }
      const result = outcome.results[0] as RawResult;
      if (!session.transaction && (result.command === 'BEGIN' || result.command === 'START')) {
        // a transaction opened by SQL outside BeginTransaction must not follow the connection back to the pool
        await session.client.query('ROLLBACK');
      }
      const json = stringifyExact(await this.#statementResponse(session.client, result, request));
      if (Buffer.byteLength(json) > this.deps.maxResponseBytes) {
        if (session.transaction) await this.#terminate(session.transaction);
        throw responseTooLarge();
      }
      return { json };
    } finally {
      if (releaseLater) {
        const pending = releaseLater;
        void pending.finally(() => this.#close(session));
      } else {
        this.#close(session);
      }
    }
  }

  async batchExecuteStatement(request: BatchExecuteStatementRequest): Promise<OperationResponse> {
    validateBatchExecute(request);
    const { text, names } = compile(request.sql as string);
    const sets = request.parameterSets ?? [];
    const statements = sets.length > 0 ? sets.map((set) => bind(text, names, set)) : [bind(text, names, undefined)];
    const session = await this.#open(request.transactionId);
    try {
      const outcome = await this.deps.executor.run(session.client, statements, {
        scope: this.#scope(session, 'atomic'),
        continueAfterTimeout: false,
      });
      if (outcome.kind === 'timedOut') throw outcome.error;
      return { json: stringifyExact({ updateResults: sets.map(() => ({ generatedFields: [] })) }) };
    } finally {
      this.#close(session);
    }
  }

  async beginTransaction(request: BeginTransactionRequest): Promise<OperationResponse> {
    validateBeginTransaction(request);
    const client = await this.deps.pool.connect();
    try {
      await client.query('BEGIN');
    } catch (error) {
      client.release(true);
      throw toDataApiError(error);
    }
    const entry = this.deps.transactions.add(client);
    return { json: JSON.stringify({ transactionId: entry.id }) };
  }

  async commitTransaction(request: EndTransactionRequest): Promise<OperationResponse> {
    validateEndTransaction(request);
    await this.#end(request.transactionId as string, 'COMMIT');
    return { json: JSON.stringify({ transactionStatus: 'Transaction Committed' }) };
  }

  async rollbackTransaction(request: EndTransactionRequest): Promise<OperationResponse> {
    validateEndTransaction(request);
    await this.#end(request.transactionId as string, 'ROLLBACK');
    return { json: JSON.stringify({ transactionStatus: 'Rollback Complete' }) };
  }

  /** Rolls back and forgets every open transaction (shutdown). */
  async endAll(): Promise<void> {
    await Promise.all(this.deps.transactions.drain().map((entry) => this.rollbackAndRelease(entry)));
  }

  /** Ends a transaction the registry gave up on (idle or too old). */
  async rollbackAndRelease(entry: TransactionEntry): Promise<void> {
    this.deps.executor.forget(entry.client);
    try {
      await entry.client.query('ROLLBACK');
      entry.client.release();
    } catch (error) {
      entry.client.release(error instanceof Error ? error : true);
    }
  }

  #scope(session: Session, outside: Scope): Scope {
    return session.transaction ? 'transaction' : outside;
  }

  async #open(transactionId: string | undefined): Promise<Session> {
    if (transactionId !== undefined) {
      const transaction = this.deps.transactions.acquire(transactionId);
      return { client: transaction.client, transaction };
    }
    return { client: await this.deps.pool.connect(), transaction: undefined };
  }

  #close(session: Session): void {
    if (session.transaction) this.deps.transactions.release(session.transaction);
    else session.client.release();
  }

  async #terminate(entry: TransactionEntry): Promise<void> {
    this.deps.transactions.remove(entry.id);
    entry.busy = false;
    await this.rollbackAndRelease(entry);
  }

  async #end(transactionId: string, command: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    const entry = this.deps.transactions.acquire(transactionId);
    this.deps.transactions.remove(transactionId);
    this.deps.executor.forget(entry.client);
    try {
      await entry.client.query(command);
      entry.client.release();
    } catch (error) {
      await entry.client.query('ROLLBACK').catch(() => undefined);
      entry.client.release();
      throw toDataApiError(error);
    }
  }

  async #statementResponse(client: pg.ClientBase, result: RawResult, request: ExecuteStatementRequest): Promise<Record<string, unknown>> {
    const fields = result.fields;
    if (fields.length === 0) {
      return { numberOfRecordsUpdated: result.rowCount ?? 0, generatedFields: [] };
    }
    const { catalog } = this.deps;
    await catalog.resolve(
      client,
      fields.map((field) => field.dataTypeID),
    );
    const response: Record<string, unknown> = { numberOfRecordsUpdated: 0 };
    if (request.formatRecordsAs === 'JSON') {
      response.formattedRecords = stringifyExact(toJsonRecords(fields, result.rows, catalog, request.resultSetOptions));
    } else {
      response.records = toRecords(fields, result.rows, catalog, request.resultSetOptions);
    }
    if (request.includeResultMetadata === true) {
      response.columnMetadata = columnMetadata(fields, catalog, await lookupColumns(client, fields));
    }
    return response;
  }
}
