import type { RDSData } from '@aws-sdk/client-rds-data';

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

// Aurora Serverless v2 resumes from zero capacity in about 15 seconds; API Gateway gives a
// request 30. Five attempts with exponential backoff wait up to ~15 s before answering 503.
export const RESUME_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };

/** Failures that mean the statement never ran, so sending it again cannot apply it twice. */
const NOT_EXECUTED = new Set(['DatabaseResumingException', 'DatabaseUnavailableException']);

type DataApiClient = Pick<RDSData, 'executeStatement' | 'beginTransaction' | 'commitTransaction' | 'rollbackTransaction'>;

/**
 * Wraps the aggregated RDSData client that kysely-data-api drives, retrying the calls that are
 * safe to retry while the cluster resumes: statements outside a transaction and BeginTransaction.
 * A statement inside a transaction is not retried: the transaction did not survive the pause.
 */
export function resilientDataApiClient(
  client: DataApiClient,
  policy: RetryPolicy = RESUME_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): DataApiClient {
  async function withRetry<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const retryable = NOT_EXECUTED.has((error as { name?: string })?.name ?? '');
        if (!retryable || attempt >= policy.attempts) throw error;
        const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        await sleep(delay * (0.5 + Math.random() / 2));
      }
    }
  }
  return {
    executeStatement: ((input: Parameters<RDSData['executeStatement']>[0]) =>
      input.transactionId
        ? client.executeStatement(input)
        : withRetry(() => client.executeStatement(input))) as RDSData['executeStatement'],
    beginTransaction: ((input: Parameters<RDSData['beginTransaction']>[0]) =>
      withRetry(() => client.beginTransaction(input))) as RDSData['beginTransaction'],
    commitTransaction: client.commitTransaction.bind(client) as RDSData['commitTransaction'],
    rollbackTransaction: client.rollbackTransaction.bind(client) as RDSData['rollbackTransaction'],
  };
}
