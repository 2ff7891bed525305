/**
 * The service's CloudWatch metrics (Powertools Metrics, EMF): the functions emit them, the CDK
 * alarms and dashboard read them. Every metric has the default dimensions `service`
 * (`customer-mgmt-<env>`) and `environment`; DeadLetters also has `Consumer`.
 */
export const METRICS = {
  namespace: 'CustomerMgmt',
  dimensions: { service: 'service', environment: 'environment', consumer: 'Consumer' },
  /** Relay, every run: events parked in the log right now (the alarm stays on until they are dealt with). */
  parked: 'ParkedEvents',
  /** Relay, every run: events it published / that failed this run. */
  published: 'PublishedEvents',
  failed: 'FailedEvents',
  /** Relay, every run: seconds since the oldest undelivered (not parked) event happened; 0 when none. */
  oldestUndeliveredAge: 'OldestUndeliveredEventAge',
  /** Any function: Data API calls that finally failed for a reason other than their SQL / were throttled. */
  dataApiErrors: 'DataApiErrors',
  dataApiThrottles: 'DataApiThrottles',
  /** Consumers: one per incoming event they could never apply. */
  deadLetters: 'DeadLetters',
} as const;
