import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/** Starts the work of a queued run somewhere else than the request that queued it. */
export interface RunLauncher {
  launch(runId: string): Promise<void>;
}

/** The payload the analytics function is invoked with to start or continue a run (a schedule sends its own event). */
export const ANALYTICS_RUN_SOURCE = 'customer-mgmt.analytics-run';
export interface AnalyticsRunInvocation {
  readonly source: typeof ANALYTICS_RUN_SOURCE;
  readonly run_id: string;
}

export function isAnalyticsRunInvocation(event: unknown): event is AnalyticsRunInvocation {
  return (
    typeof event === 'object' &&
    event !== null &&
    (event as { source?: unknown }).source === ANALYTICS_RUN_SOURCE &&
    typeof (event as { run_id?: unknown }).run_id === 'string'
  );
}

/** On AWS: an asynchronous invocation of the analytics function (Lambda queues it and answers at once). */
export function lambdaRunLauncher(client: LambdaClient, functionName: string): RunLauncher {
  return {
    async launch(runId) {
      const payload: AnalyticsRunInvocation = { source: ANALYTICS_RUN_SOURCE, run_id: runId };
      await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
      );
    },
  };
}

/**
 * Locally and in tests: the run goes on in this process after the request has been answered. Its failure is recorded
 * on the run (the runner does that) and reported to `onError`, never thrown into the void; `idle()` waits for every
 * run started here (tests, shutdown).
 */
export function inProcessRunLauncher(run: (runId: string) => Promise<unknown>, onError: (runId: string, error: unknown) => void) {
  const running = new Set<Promise<void>>();
  return {
    async launch(runId: string) {
      const work = Promise.resolve()
        .then(() => run(runId))
        .then(
          () => undefined,
          (error: unknown) => onError(runId, error),
        );
      running.add(work);
      void work.finally(() => running.delete(work));
    },
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all([...running]);
    },
  } satisfies RunLauncher & { idle(): Promise<void> };
}
