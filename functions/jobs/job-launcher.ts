import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/**
 * The shared job kit: a long job (an analytics run, an export) is queued by a request and worked
 * on somewhere else — by its own Lambda on AWS (asynchronous invoke), in this process locally.
 */
export interface JobLauncher {
  launch(jobId: string): Promise<void>;
}

/** On AWS: an asynchronous invocation of the job's function with `payload(jobId)` (Lambda queues it and answers at once). */
export function lambdaJobLauncher(client: LambdaClient, functionName: string, payload: (jobId: string) => object): JobLauncher {
  return {
    async launch(jobId) {
      await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(payload(jobId))),
        }),
      );
    },
  };
}

/**
 * Where a job cannot be worked on: a function that only queues jobs (the API functions on AWS,
 * which hand them to the job functions) and was given no launcher. Launching fails with the reason,
 * which the service records on the job, instead of running a job inside a request's function.
 */
export function unlaunchableJobs(kind: string): JobLauncher {
  return {
    async launch() {
      throw new Error(`${kind} are not worked on in this function and no launcher is configured for them`);
    },
  };
}

/**
 * Locally and in tests: the job goes on in this process after the request has been answered. Its failure is recorded
 * on the job (the runner does that) and reported to `onError`, never thrown into the void; `idle()` waits for every
 * job started here (tests, shutdown).
 */
export function inProcessJobLauncher(run: (jobId: string) => Promise<unknown>, onError: (jobId: string, error: unknown) => void) {
  const running = new Set<Promise<void>>();
  return {
    async launch(jobId: string) {
      const work = Promise.resolve()
        .then(() => run(jobId))
        .then(
          () => undefined,
          (error: unknown) => onError(jobId, error),
        );
      running.add(work);
      void work.finally(() => running.delete(work));
    },
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all([...running]);
    },
  } satisfies JobLauncher & { idle(): Promise<void> };
}
