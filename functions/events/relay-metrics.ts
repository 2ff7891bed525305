/** Where the relay's metrics live in CloudWatch; the CDK alarm reads the same names. */
export const RELAY_METRICS = {
  namespace: 'CustomerMgmt',
  dimension: 'Service',
  parked: 'ParkedEvents',
  published: 'PublishedEvents',
  failed: 'FailedEvents',
} as const;

export interface RelayMetricValues {
  /** Events parked in the log right now (not just this run): the alarm stays on until they are dealt with. */
  readonly parked: number;
  readonly published: number;
  readonly failed: number;
}

/**
 * One CloudWatch Embedded Metric Format line. Written straight to stdout: Lambda's JSON log
 * format wraps console output, but passes raw stdout lines on as they are, and CloudWatch
 * turns this line into metrics without any API call.
 */
export function relayMetricsLine(service: string, values: RelayMetricValues, now: Date = new Date()): string {
  return JSON.stringify({
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: RELAY_METRICS.namespace,
          Dimensions: [[RELAY_METRICS.dimension]],
          Metrics: [
            { Name: RELAY_METRICS.parked, Unit: 'Count' },
            { Name: RELAY_METRICS.published, Unit: 'Count' },
            { Name: RELAY_METRICS.failed, Unit: 'Count' },
          ],
        },
      ],
    },
    [RELAY_METRICS.dimension]: service,
    [RELAY_METRICS.parked]: values.parked,
    [RELAY_METRICS.published]: values.published,
    [RELAY_METRICS.failed]: values.failed,
  });
}
