/**
 * A local HTTP endpoint speaking the RDS Data API's REST-JSON protocol (the paths, bodies and
 * error headers the AWS SDK's RDSDataClient uses) and running the statements on a pg.Pool.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { survivesDroppedConnections } from '../../../functions/db/postgres-pool.js';
import { badRequest, DataApiError, INJECTABLE_FAULTS, toDataApiError, type InjectableFault } from './errors.js';
import { Executor } from './executor.js';
import { DataApiOperations, type OperationResponse } from './operations.js';
import { TransactionRegistry } from './transactions.js';
import { TypeCatalog } from './type-catalog.js';

export interface DataApiEndpointOptions {
  /** Where statements run (e.g. from `openPostgresPool`). The endpoint never ends it. */
  readonly pool: pg.Pool;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** A statement running longer fails with StatementTimeoutException. AWS: 45 s. */
  readonly statementTimeoutMs?: number;
  /** A transaction without a call for this long is rolled back. AWS: 3 minutes. */
  readonly transactionIdleTimeoutMs?: number;
  /** A transaction older than this is rolled back. AWS: 24 hours. */
  readonly transactionMaxLifetimeMs?: number;
  /** Responses larger than this fail. AWS: 1 MiB. */
  readonly maxResponseBytes?: number;
  /** Requests larger than this are refused. AWS: 4 MiB. */
  readonly maxRequestBytes?: number;
  /** Receives one line per call when given; nothing is logged otherwise. */
  readonly log?: (line: string) => void;
}

export interface DataApiEndpoint {
  /** Base URL to give the SDK client as `endpoint`. */
  readonly url: string;
  /** Stops accepting calls, rolls back open transactions; the pool stays open. */
  close(): Promise<void>;
  /** Calls received (any operation, failed or not). */
  callCount(): number;
  /** Calls received by operation name, e.g. `{ ExecuteStatement: 3 }`. */
  callsByOperation(): Record<string, number>;
  /** Calls answered with an error since the last reset, by error type (e.g. `{ DatabaseErrorException: 1 }`). */
  failedCalls(): Record<string, number>;
  resetCallCount(): void;
  /** The next `times` calls fail with DatabaseResumingException. */
  injectResuming(times: number): void;
  /** The next `times` calls fail with the given fault (0 clears it): a resuming or unavailable cluster. */
  injectFault(fault: InjectableFault, times: number): void;
}

type OperationName = 'ExecuteStatement' | 'BatchExecuteStatement' | 'BeginTransaction' | 'CommitTransaction' | 'RollbackTransaction';

const ROUTES: Record<string, OperationName> = {
  '/Execute': 'ExecuteStatement',
  '/BatchExecute': 'BatchExecuteStatement',
  '/BeginTransaction': 'BeginTransaction',
  '/CommitTransaction': 'CommitTransaction',
  '/RollbackTransaction': 'RollbackTransaction',
};

const MiB = 1024 * 1024;

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      if (tooLarge) reject(badRequest(`Request size exceeds the maximum of ${limit} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

function parseBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new DataApiError('SerializationException', 'Request body is not a valid JSON object');
}

function send(response: ServerResponse, status: number, json: string, errorType?: string): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'x-amzn-requestid': randomUUID(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  response.writeHead(status, headers);
  response.end(json);
}

export async function startDataApiEndpoint(options: DataApiEndpointOptions): Promise<DataApiEndpoint> {
  const log = options.log;
  // A connection PostgreSQL drops must cost only the call using it, never the process.
  survivesDroppedConnections(options.pool);
  const maxRequestBytes = options.maxRequestBytes ?? 4 * MiB;
  let operations: DataApiOperations;
  const transactions = new TransactionRegistry({
    idleTimeoutMs: options.transactionIdleTimeoutMs ?? 3 * 60 * 1000,
    maxLifetimeMs: options.transactionMaxLifetimeMs ?? 24 * 60 * 60 * 1000,
    onExpire: (entry) => operations.rollbackAndRelease(entry),
  });
  operations = new DataApiOperations({
    pool: options.pool,
    transactions,
    executor: new Executor(options.statementTimeoutMs ?? 45_000),
    catalog: new TypeCatalog(),
    maxResponseBytes: options.maxResponseBytes ?? MiB,
  });

  const handlers: Record<OperationName, (body: Record<string, unknown>) => Promise<OperationResponse>> = {
    ExecuteStatement: (body) => operations.executeStatement(body),
    BatchExecuteStatement: (body) => operations.batchExecuteStatement(body),
    BeginTransaction: (body) => operations.beginTransaction(body),
    CommitTransaction: (body) => operations.commitTransaction(body),
    RollbackTransaction: (body) => operations.rollbackTransaction(body),
  };

  let calls: Record<string, number> = {};
  let failed: Record<string, number> = {};
  let fault: { type: InjectableFault; left: number } = { type: 'DatabaseResumingException', left: 0 };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const operation = request.method === 'POST' ? ROUTES[path] : undefined;
    if (!operation) {
      const error = new DataApiError('UnknownOperationException', `No operation at ${request.method} ${path}`);
      send(response, error.status, JSON.stringify(error.body()), error.type);
      return;
    }
    calls[operation] = (calls[operation] ?? 0) + 1;
    const started = performance.now();
    try {
      const body = parseBody(await readBody(request, maxRequestBytes));
      if (fault.left > 0) {
        fault.left--;
        throw INJECTABLE_FAULTS[fault.type]();
      }
      const result = await handlers[operation](body);
      send(response, 200, result.json);
      log?.(`${operation} 200 ${Math.round(performance.now() - started)}ms`);
    } catch (caught) {
      const error = toDataApiError(caught);
      failed[error.type] = (failed[error.type] ?? 0) + 1;
      send(response, error.status, JSON.stringify(error.body()), error.type);
      log?.(`${operation} ${error.status} ${error.type} ${Math.round(performance.now() - started)}ms: ${error.message}`);
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        const failure = toDataApiError(error);
        send(response, 500, JSON.stringify(failure.body()), 'InternalServerErrorException');
      }
    });
  });
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await operations.endAll();
    },
    callCount: () => Object.values(calls).reduce((sum, count) => sum + count, 0),
    callsByOperation: () => ({ ...calls }),
    failedCalls: () => ({ ...failed }),
    resetCallCount() {
      calls = {};
      failed = {};
    },
    injectResuming(times: number) {
      fault = { type: 'DatabaseResumingException', left: Math.max(0, Math.floor(times)) };
    },
    injectFault(type: InjectableFault, times: number) {
      fault = { type, left: Math.max(0, Math.floor(times)) };
    },
  };
}
