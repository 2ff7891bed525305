import { DatabaseResumingException, DatabaseUnavailableException, RDSData } from '@aws-sdk/client-rds-data';
import { mockClient } from 'aws-sdk-client-mock';
import { ExecuteStatementCommand, BeginTransactionCommand, RDSDataClient } from '@aws-sdk/client-rds-data';
import { afterEach, describe, expect, it } from 'vitest';
import {
  API_RESUME_RETRY,
  BACKGROUND_RESUME_RETRY,
  resilientDataApiClient,
  type RetryPolicy,
} from '../../functions/db/resilient-data-api-client.js';

const resuming = () => new DatabaseResumingException({ message: 'The database is resuming', $metadata: {} });
const policy: RetryPolicy = { attempts: 4, budgetMs: 60_000, baseDelayMs: 1, maxDelayMs: 2 };
const unavailable = () => new DatabaseUnavailableException({ message: 'The writer is not available', $metadata: {} });
const arns = {
  resourceArn: 'arn:aws:rds:eu-central-1:1:cluster:c',
  secretArn: 'arn:aws:secretsmanager:eu-central-1:1:secret:s',
  sql: 'select 1',
};

const rds = mockClient(RDSDataClient);

describe('the Data API client while Aurora resumes', () => {
  afterEach(() => rds.reset());
  const client = () =>
    resilientDataApiClient(
      new RDSData({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
      policy,
      async () => {},
    );

  it('retries a statement outside a transaction until the database answers', async () => {
    rds.on(ExecuteStatementCommand).rejectsOnce(resuming()).rejectsOnce(resuming()).resolves({ numberOfRecordsUpdated: 0, records: [] });
    await expect(client().executeStatement(arns)).resolves.toMatchObject({ records: [] });
    expect(rds.commandCalls(ExecuteStatementCommand)).toHaveLength(3);
    expect(rds.commandCalls(ExecuteStatementCommand).every((call) => call.args[0].input.sql === 'select 1')).toBe(true);
  });

  it('gives up after the policy’s attempts, surfacing the resuming error', async () => {
    rds.on(ExecuteStatementCommand).rejects(resuming());
    await expect(client().executeStatement(arns)).rejects.toMatchObject({ name: 'DatabaseResumingException' });
    expect(rds.commandCalls(ExecuteStatementCommand)).toHaveLength(4);
  });

  it('retries BeginTransaction but never a statement inside a transaction', async () => {
    rds.on(BeginTransactionCommand).rejectsOnce(resuming()).resolves({ transactionId: 'tx-1' });
    rds.on(ExecuteStatementCommand).rejects(resuming());
    await expect(client().beginTransaction(arns)).resolves.toMatchObject({ transactionId: 'tx-1' });
    await expect(client().executeStatement({ ...arns, transactionId: 'tx-1' })).rejects.toMatchObject({
      name: 'DatabaseResumingException',
    });
    expect(rds.commandCalls(BeginTransactionCommand)).toHaveLength(2);
    expect(rds.commandCalls(ExecuteStatementCommand)).toHaveLength(1);
  });

  it('does not retry SQL errors', async () => {
    rds.on(ExecuteStatementCommand).rejects(Object.assign(new Error('ERROR: boom; SQLState: 23505'), { name: 'DatabaseErrorException' }));
    await expect(client().executeStatement(arns)).rejects.toMatchObject({ name: 'DatabaseErrorException' });
    expect(rds.commandCalls(ExecuteStatementCommand)).toHaveLength(1);
  });

  it('retries DatabaseUnavailableException like a resume', async () => {
    rds.on(ExecuteStatementCommand).rejectsOnce(unavailable()).resolves({ numberOfRecordsUpdated: 0, records: [] });
    await expect(client().executeStatement(arns)).resolves.toMatchObject({ records: [] });
    expect(rds.commandCalls(ExecuteStatementCommand)).toHaveLength(2);
  });
});

describe('the resume budget', () => {
  afterEach(() => rds.reset());

  /** Waits on a virtual clock; returns the total time waited before the call gave up. */
  async function waitedUntilGivingUp(retry: RetryPolicy): Promise<number> {
    rds.on(ExecuteStatementCommand).rejects(resuming());
    let now = 0;
    const client = resilientDataApiClient(
      new RDSData({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
      retry,
      async (ms) => void (now += ms),
      () => now,
    );
    await expect(client.executeStatement(arns)).rejects.toMatchObject({ name: 'DatabaseResumingException' });
    return now;
  }

  it.each([
    ['API functions', API_RESUME_RETRY, 15_000, 20_000],
    ['consumers, relay and migrate', BACKGROUND_RESUME_RETRY, 40_000, 45_000],
  ] as const)('%s keep trying for a whole Aurora resume, within their budget', async (_who, retry, atLeast, atMost) => {
    for (let run = 0; run < 20; run++) {
      const waited = await waitedUntilGivingUp(retry);
      expect(waited).toBeGreaterThanOrEqual(atLeast);
      expect(waited).toBeLessThanOrEqual(atMost);
      rds.reset();
    }
  });
});
