import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { isExportInvocation, lambdaExportLauncher } from '../../functions/exports/export-invocation.js';
import { BASE, createApiHarness } from '../support/api-harness.js';
import { openTestDatabase } from '../support/test-databases.js';

describe('POST /exports hands the export to the export function', () => {
  it('invokes it asynchronously with the export id, and the function recognises that payload only', async () => {
    const client = new LambdaClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' },
    });
    const lambda = mockClient(client);
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    await lambdaExportLauncher(client, 'customer-mgmt-dev-Export').launch('019b6ec4-774c-70e0-9c2c-7ba19630289d');

    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'customer-mgmt-dev-Export', InvocationType: 'Event' });
    const payload = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
    expect(payload).toEqual({ source: 'customer-mgmt.export', export_id: '019b6ec4-774c-70e0-9c2c-7ba19630289d' });
    expect(isExportInvocation(payload)).toBe(true);
    expect(isExportInvocation({ source: 'customer-mgmt.analytics-run', run_id: 'x' })).toBe(false);
    expect(isExportInvocation({ source: 'customer-mgmt.export' })).toBe(false);
  });
});

describe('when the export function cannot be invoked', () => {
  it('the export is failed at once with the reason (202 with state failed, never a 500)', async () => {
    const database = await openTestDatabase('pglite');
    try {
      const api = createApiHarness(database.db, undefined, undefined, {
        exportLauncher: { launch: () => Promise.reject(new Error('TooManyRequestsException: Rate exceeded')) },
      });
      const started = await api.call({ method: 'POST', path: `${BASE}/exports`, body: { object: 'customers', format: 'csv' } });
      expect(started.status).toBe(202);
      expect(started.body.data).toMatchObject({
        state: 'failed',
        error: 'the export could not be started: TooManyRequestsException: Rate exceeded',
        download_url: null,
      });
    } finally {
      await database.close();
    }
  });

  it('a function wired without the job runners (the API functions) and no launcher fails the export with the reason, never walks it', async () => {
    const database = await openTestDatabase('pglite');
    try {
      const api = createApiHarness(database.db, undefined, undefined, {
        runners: { exports: undefined, imports: undefined, analytics: undefined },
      });
      const started = await api.call({ method: 'POST', path: `${BASE}/exports`, body: { object: 'customers', format: 'csv' } });
      expect(started.status).toBe(202);
      expect(started.body.data).toMatchObject({
        state: 'failed',
        error: 'the export could not be started: exports are not worked on in this function and no launcher is configured for them',
        rows_written: 0,
      });
    } finally {
      await database.close();
    }
  });
});
