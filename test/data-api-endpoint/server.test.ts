import { BeginTransactionCommand, ExecuteStatementCommand, RDSDataClient } from '@aws-sdk/client-rds-data';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDataApiEndpoint } from '../../infra/local/data-api/index.js';
import { ARNS, clientConfig, failure, type Harness, startHarness } from './endpoint-harness.js';

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the HTTP endpoint', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h.close());

  it('counts calls, in total and by operation, until reset', async () => {
    h.endpoint.resetCallCount();
    await h.execute('SELECT 1');
    await failure(h.execute('SELECT 1; SELECT 2'));
    const transactionId = await h.begin();
    await h.batch('SELECT 1', { transactionId });
    await h.rollback(transactionId);
    expect(h.endpoint.callCount()).toBe(5);
    expect(h.endpoint.callsByOperation()).toEqual({
      ExecuteStatement: 2,
      BeginTransaction: 1,
      BatchExecuteStatement: 1,
      RollbackTransaction: 1,
    });
    h.endpoint.resetCallCount();
    expect(h.endpoint.callCount()).toBe(0);
    expect(h.endpoint.callsByOperation()).toEqual({});
  });

  it('fails the next n calls with DatabaseResumingException when asked', async () => {
    h.endpoint.resetCallCount();
    h.endpoint.injectResuming(2);
    const first = await failure(h.execute('SELECT 1'));
    expect(first.name).toBe('DatabaseResumingException');
    expect(first.$metadata?.httpStatusCode).toBe(400);
    const second = await failure(h.client.send(new BeginTransactionCommand({ ...ARNS })));
    expect(second.name).toBe('DatabaseResumingException');
    expect((await h.execute('SELECT 1')).records).toEqual([[{ longValue: 1 }]]);
    expect(h.endpoint.callCount()).toBe(3);
  });

  it('fails the next n calls with DatabaseUnavailableException (504) when asked, as a writer that is not up yet', async () => {
    h.endpoint.resetCallCount();
    h.endpoint.injectFault('DatabaseUnavailableException', 2);
    const first = await failure(h.execute('SELECT 1'));
    expect(first.name).toBe('DatabaseUnavailableException');
    expect(first.$metadata?.httpStatusCode).toBe(504);
    const second = await failure(h.client.send(new BeginTransactionCommand({ ...ARNS })));
    expect(second.name).toBe('DatabaseUnavailableException');
    expect((await h.execute('SELECT 1')).records).toEqual([[{ longValue: 1 }]]);
    expect(h.endpoint.callCount()).toBe(3);
  });

  it('answers errors with the status, x-amzn-errortype header and JSON message the SDK reads', async () => {
    const response = await post(h.endpoint.url, '/Execute', { ...ARNS, sql: 'SELECT 1/0' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('DatabaseErrorException');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ message: 'ERROR: division by zero; SQLState: 22012' });

    const unknown = await post(h.endpoint.url, '/ExecuteSql', {});
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');

    const notJson = await fetch(`${h.endpoint.url}/Execute`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-amzn-errortype')).toBe('SerializationException');
  });

  it('writes bigint values with every digit on the wire', async () => {
    const response = await post(h.endpoint.url, '/Execute', { ...ARNS, sql: 'SELECT 9007199254740993::int8 AS n' });
    expect(await response.text()).toContain('"records":[[{"longValue":9007199254740993}]]');
  });

  it('validates required members and constraints as the model does', async () => {
    const noSql = await failure(h.client.send(new ExecuteStatementCommand({ ...ARNS } as never)));
    expect(noSql.name).toBe('ValidationException');
    expect(noSql.message).toBe("1 validation error detected: Value null at 'sql' failed to satisfy constraint: Member must not be null");
    const noArns = await failure(h.client.send(new ExecuteStatementCommand({ sql: 'SELECT 1' } as never)));
    expect(noArns.message).toMatch(/^2 validation errors detected: Value null at 'resourceArn'.*; Value null at 'secretArn'/);
    const badFormat = await failure(h.execute('SELECT 1', { formatRecordsAs: 'XML' as never }));
    expect(badFormat.name).toBe('ValidationException');
    const schema = await failure(h.execute('SELECT 1', { schema: 'public' }));
    expect(schema.name).toBe('ValidationException');
    expect(schema.message).toBe("The schema parameter isn't supported.");
  });

  it('logs nothing unless given a log function', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => vi.spyOn(console, method));
    try {
      await h.execute('SELECT 1');
      await failure(h.execute('SELECT 1/0'));
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('passes one line per call to the log option, and refuses requests over the size limit', async () => {
    const lines: string[] = [];
    const endpoint = await startDataApiEndpoint({
      pool: h.database.pool,
      log: (line) => lines.push(line),
      maxRequestBytes: 2048,
    });
    const client = new RDSDataClient(clientConfig(endpoint.url));
    try {
      expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await client.send(new ExecuteStatementCommand({ ...ARNS, sql: 'SELECT 1' }));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ExecuteStatement 200 /);
      const tooLarge = await failure(client.send(new ExecuteStatementCommand({ ...ARNS, sql: `SELECT '${'x'.repeat(4000)}'` })));
      expect(tooLarge.name).toBe('BadRequestException');
    } finally {
      client.destroy();
      await endpoint.close();
    }
  });
});
