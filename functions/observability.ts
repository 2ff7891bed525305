import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { createLogger, parseLogLevel, powertoolsLoggerOf, type Logger } from './logger.js';
import { METRICS } from './metric-names.js';

export { MetricUnit };

/** Logger, Metrics and Tracer of one Lambda function (one set per container). */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
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
  const tracer = new Tracer({ serviceName });
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
  if (!current && !process.env.AWS_LAMBDA_FUNCTION_NAME) return client;
  return observability().tracer.captureAWSv3Client(client);
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
  return middy<E, R, Error, Context>(handler)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(powertoolsLogger, { resetKeys: true }))
    .use(correlation)
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }));
}
