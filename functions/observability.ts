import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { createLogger, parseLogLevel, powertoolsLoggerOf, type Logger } from './logger.js';
import { METRICS } from './metric-names.js';

export { MetricUnit };

/**
 * X-Ray only where it records something: inside Lambda, unless POWERTOOLS_TRACE_ENABLED=false.
 * Loading the X-Ray SDK turns on async hooks (cls-hooked) for the whole process, which made every
 * `await` about ten times slower here (300,000 awaits: 52 → 800 ms, issue 17); the local server,
 * the tests and the benchmark therefore never load it. Inside Lambda that cost is the price of
 * the traces: switch tracing off per environment if it is not worth it.
 */
const tracing = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME) && process.env.POWERTOOLS_TRACE_ENABLED !== 'false';
const tracerModules = tracing
  ? await Promise.all([import('@aws-lambda-powertools/tracer'), import('@aws-lambda-powertools/tracer/middleware')])
  : undefined;

/** Logger, Metrics and Tracer of one Lambda function (one set per container). */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Only inside Lambda with tracing on (see `tracing`). */
  readonly tracer: Tracer | undefined;
  readonly serviceName: string;
  readonly environment: string;
}

let current: Observability | undefined;

/**
 * The function's Powertools Logger, Metrics and Tracer, built once from the environment CDK sets:
 * SERVICE_NAME (`customer-mgmt-<env>`), ENVIRONMENT_NAME, LOG_LEVEL. Metrics are validated EMF in
 * the CustomerMgmt namespace with `service` and `environment` as default dimensions; tracing is
 * active only inside Lambda.
 */
export function observability(env: Record<string, string | undefined> = process.env): Observability {
  if (current) return current;
  const serviceName = env.SERVICE_NAME?.trim() || 'customer-mgmt';
  const environment = env.ENVIRONMENT_NAME?.trim() || 'local';
  const logger = createLogger(parseLogLevel(env.LOG_LEVEL), undefined, { serviceName, persistentKeys: { environment } });
  const quiet = {
    ...logger,
    // Most invocations emit no application metric; that is not worth a warning line each time.
    warn: (message: string, ...rest: unknown[]) =>
      message.startsWith('No application metrics') ? undefined : logger.warn(message, { detail: rest.map(String) }),
    debug: (message: string) => logger.debug(message),
    info: (message: string) => logger.info(message),
    error: (message: string, ...rest: unknown[]) => logger.error(message, { detail: rest.map(String) }),
  };
  const metrics = new Metrics({
    namespace: METRICS.namespace,
    serviceName,
    defaultDimensions: { [METRICS.dimensions.environment]: environment },
    logger: quiet,
  });
  const tracer = tracerModules && new tracerModules[0].Tracer({ serviceName });
  current = { logger, metrics, tracer, serviceName, environment };
  return current;
}

/** Counts a Data API call that failed for a reason other than its SQL (flushed with the invocation's metrics). */
export function recordDataApiFailure(failure: { readonly throttled: boolean }): void {
  const { metrics } = observability();
  metrics.addMetric(failure.throttled ? METRICS.dataApiThrottles : METRICS.dataApiErrors, MetricUnit.Count, 1);
}

/** Records the client's calls as X-Ray subsegments (a no-op outside Lambda). */
export function traced<T>(client: T): T {
  // Outside Lambda (the local server, tests) there is nothing to trace: keep the client as it is.
  const tracer = tracerModules && observability().tracer;
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/**
 * Wraps a Lambda handler in the Powertools middlewares: an X-Ray segment per invocation, the
 * Lambda context (cold start, request id) and a correlation id on every log line, and the
 * invocation's metrics flushed as EMF at the end.
 */
export function observed<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  options: { readonly correlationId?: (event: E) => string | undefined } = {},
) {
  const { logger, metrics, tracer } = observability();
  const powertoolsLogger = powertoolsLoggerOf(logger);
  const correlation: MiddlewareObj<E, R> = {
    before: ({ event }) => {
      const id = options.correlationId?.(event);
      if (id !== undefined) powertoolsLogger.appendKeys({ correlation_id: id });
    },
  };
  const wrapped = middy<E, R, Error, Context>(handler);
  if (tracer && tracerModules) wrapped.use(tracerModules[1].captureLambdaHandler(tracer, { captureResponse: false }));
  return wrapped
    .use(injectLambdaContext(powertoolsLogger, { resetKeys: true }))
    .use(correlation)
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }));
}
