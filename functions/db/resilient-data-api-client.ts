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

/** Throttling as the SDK names it (the Data API's own and the generic AWS ones). */
const THROTTLING: ReadonlySet<string> = new Set(['ThrottlingException', 'TooManyRequestsException', 'ThrottledException']);

/** A Data API call that failed for a reason other than its SQL. */
export interface DataApiFailure {
  readonly name: string;
  readonly throttled: boolean;
}

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
  /** Told about every call that finally failed for a reason other than its SQL (throttled, unavailable, …). */
  report?: (failure: DataApiFailure) => void,
): DataApiClient {
  async function reporting<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const name = (error as { name?: string })?.name ?? 'Error';
      // A SQL error (unique violation, …) is the statement's answer, not the service failing.
      if (report && name !== 'DatabaseErrorException') report({ name, throttled: THROTTLING.has(name) });
      throw error;
    }
  }
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
      reporting(() =>
        input.transactionId ? client.executeStatement(input) : withRetry(() => client.executeStatement(input)),
      )) as RDSData['executeStatement'],
    beginTransaction: ((input: Parameters<RDSData['beginTransaction']>[0]) =>
      reporting(() => withRetry(() => client.beginTransaction(input)))) as RDSData['beginTransaction'],
    commitTransaction: ((input: Parameters<RDSData['commitTransaction']>[0]) =>
      reporting(() => client.commitTransaction(input))) as RDSData['commitTransaction'],
    rollbackTransaction: ((input: Parameters<RDSData['rollbackTransaction']>[0]) =>
      reporting(() => client.rollbackTransaction(input))) as RDSData['rollbackTransaction'],
  };
}
