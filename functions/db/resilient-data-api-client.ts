import type { RDSData } from '@aws-sdk/client-rds-data';

export interface RetryPolicy {
  /** Give up after this many attempts (Infinity: only the budget limits). */
  readonly attempts: number;
  /** Give up once waiting more would pass this much time since the first attempt. */
  readonly budgetMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

// Aurora Serverless v2 resumes from zero capacity in about 15 seconds, longer after a day or
// more paused. API Gateway gives a request 30 s: the API functions wait up to 20 s (then answer
// 503 with Retry-After) and time out at 28 s. Consumers, the relay and the migration run
// asynchronously and wait up to 45 s (timeouts 90 s, migrate 300 s). Each function gets its
// budget from DB_RESUME_BUDGET_MS (set by CDK); see docs/deploying.md.
export const API_RESUME_RETRY: RetryPolicy = { attempts: Infinity, budgetMs: 20_000, baseDelayMs: 500, maxDelayMs: 4_000 };
export const BACKGROUND_RESUME_RETRY: RetryPolicy = { attempts: Infinity, budgetMs: 45_000, baseDelayMs: 500, maxDelayMs: 5_000 };

/** The policy for a budget (DB_RESUME_BUDGET_MS): the API's delays, the given budget. */
export function resumeRetry(budgetMs: number): RetryPolicy {
  return { ...(budgetMs > API_RESUME_RETRY.budgetMs ? BACKGROUND_RESUME_RETRY : API_RESUME_RETRY), budgetMs };
}

/** Failures that mean the statement never ran, so sending it again cannot apply it twice. */
export const NOT_EXECUTED: ReadonlySet<string> = new Set(['DatabaseResumingException', 'DatabaseUnavailableException']);

type DataApiClient = Pick<RDSData, 'executeStatement' | 'beginTransaction' | 'commitTransaction' | 'rollbackTransaction'>;

/**
 * Wraps the aggregated RDSData client that kysely-data-api drives, retrying the calls that are
 * safe to retry while the cluster resumes or its writer is unavailable: statements outside a
 * transaction and BeginTransaction. A statement inside a transaction is not retried: the
 * transaction did not survive the pause. Backoff is exponential with jitter, until the policy's
 * budget (time since the first attempt) would be exceeded.
 */
export function resilientDataApiClient(
  client: DataApiClient,
  policy: RetryPolicy = API_RESUME_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => number = Date.now,
): DataApiClient {
  async function withRetry<T>(call: () => Promise<T>): Promise<T> {
    const started = now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const retryable = NOT_EXECUTED.has((error as { name?: string })?.name ?? '');
        if (!retryable || attempt >= policy.attempts) throw error;
        const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        const delay = backoff * (0.5 + Math.random() / 2);
        const left = policy.budgetMs - (now() - started);
        if (left <= 0) throw error;
        await sleep(Math.min(delay, left));
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
