import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IAlarmAction,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../../functions/metric-names.js';

export interface ServiceAlarmsProps {
  /** Prefix of every alarm name, e.g. `customer-mgmt-dev`; also the `service` dimension of our metrics. */
  readonly prefix: string;
  /** The `environment` dimension of our metrics. */
  readonly environment: string;
  readonly email?: string;
}

const PERIOD = Duration.minutes(5);

/**
 * The metric the consumer functions emit (Powertools EMF, functions/integration/consumer-runtime.ts)
 * for each event they dead-letter; test/infra/consumer-metrics.test.ts holds the two sides together.
 */
export const CONSUMER_METRICS = {
  namespace: METRICS.namespace,
  deadLetters: METRICS.deadLetters,
  serviceDimension: METRICS.dimensions.service,
  environmentDimension: METRICS.dimensions.environment,
  consumerDimension: METRICS.dimensions.consumer,
} as const;

/** The alarm topic and the alarms that notify it: API 5xx rate and p99 latency, per-function errors and throttles, DLQ depth, parked events, dead letters. */
export class ServiceAlarms extends Construct {
  readonly topic: Topic;
  private readonly action: IAlarmAction;
  private readonly prefix: string;
  private readonly environment: string;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    this.prefix = props.prefix;
    this.environment = props.environment;
    this.topic = new Topic(this, 'Topic', { displayName: `${props.prefix} alarms`, enforceSSL: true });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    this.action = new SnsAction(this.topic);
  }

  /** 5xx responses as a share of requests, and p99 latency, of the whole API. */
  watchHttpApi(api: HttpApi, thresholds: { readonly serverErrorRatePercent: number; readonly latencyP99Millis: number }): void {
    const errorRate = new MathExpression({
      label: '5xx rate (%)',
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
        requests: api.metricCount({ period: PERIOD, statistic: 'Sum' }),
      },
      period: PERIOD,
    });
    this.alarm('Api5xxRate', {
      metric: errorRate,
      threshold: thresholds.serverErrorRatePercent,
      description: `More than ${thresholds.serverErrorRatePercent}% of API requests answered 5xx in two of three 5-minute periods.`,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    this.alarm('ApiLatencyP99', {
      metric: api.metricLatency({ period: PERIOD, statistic: 'p99' }),
      threshold: thresholds.latencyP99Millis,
      description: `API p99 latency above ${thresholds.latencyP99Millis} ms in three consecutive 5-minute periods.`,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
  }

  /** Invocation errors (crashes, timeouts: the handler turns ordinary failures into responses) and throttles. */
  watchFunction(name: string, fn: IFunction): void {
    this.alarm(`${name}Errors`, {
      metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
      threshold: 0,
      description: `${name}: invocations failed (uncaught error, timeout or out of memory).`,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
    this.alarm(`${name}Throttles`, {
      metric: fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      threshold: 0,
      description: `${name}: invocations throttled (account or reserved concurrency exhausted).`,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
  }

  /** Any message waiting in a dead-letter queue needs a look. */
  watchDeadLetterQueue(name: string, queue: IQueue): void {
    this.alarm(`${name}Depth`, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      threshold: 0,
      description: `${name}: messages are waiting in the dead-letter queue.`,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
  }

  /** One of our own metrics (Powertools EMF) with the default dimensions, plus `extra` ones. */
  serviceMetric(metricName: string, statistic: string, extra: Record<string, string> = {}, period: Duration = PERIOD): Metric {
    return new Metric({
      namespace: METRICS.namespace,
      metricName,
      dimensionsMap: { [METRICS.dimensions.service]: this.prefix, [METRICS.dimensions.environment]: this.environment, ...extra },
      statistic,
      period,
    });
  }

  /**
   * Parked events will not be published until someone deals with them. The relay reports how many
   * there are on every run (an EMF metric), so the alarm stays on while any remain.
   */
  watchParkedEvents(): void {
    this.alarm(METRICS.parked, {
      metric: this.serviceMetric(METRICS.parked, 'Maximum'),
      threshold: 0,
      description:
        'Events are parked in the outbox and will not be published: see GET /api/v1/customer-mgmt/events?state=parked for their errors.',
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
  }

  /**
   * Events that should have reached the bus long ago: the relay reports, on every run, how old the
   * oldest undelivered (not parked) event is. Immediate delivery and the relay's wake-up keep it at
   * seconds; above the threshold, delivery is stuck (EventBridge refusing, the relay failing).
   */
  watchUndeliveredEvents(thresholdSeconds: number): void {
    this.alarm('OldestUndeliveredEvent', {
      metric: this.serviceMetric(METRICS.oldestUndeliveredAge, 'Maximum'),
      threshold: thresholdSeconds,
      description: `The oldest undelivered event is more than ${thresholdSeconds} s old: see GET /api/v1/customer-mgmt/events?state=pending and the OutboxRelay logs.`,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
  }

  /**
   * Incoming events a consumer could never apply (malformed, unknown customer, refused by the
   * domain): each is stored with its reason in customer_mgmt_dead_letters and counted once.
   */
  watchDeadLetters(name: string, consumer: string): void {
    this.alarm(`${name}DeadLetters`, {
      metric: this.serviceMetric(METRICS.deadLetters, 'Sum', { [METRICS.dimensions.consumer]: consumer }),
      threshold: 0,
      description: `${name}: incoming events were dead-lettered; their reasons are in the customer_mgmt_dead_letters table (consumer ${consumer}).`,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
  }

  /**
   * Data API calls that failed for a reason other than their SQL (the functions count them): any
   * throttling, and errors such as an unavailable writer or a resume that outlasted the retry budget.
   */
  watchDataApi(): void {
    this.alarm('DataApiThrottles', {
      metric: this.serviceMetric(METRICS.dataApiThrottles, 'Sum'),
      threshold: 0,
      description: 'Data API calls were throttled: callers got 503 or a retried event; check the request rate against the Data API quotas.',
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
    this.alarm('DataApiErrors', {
      metric: this.serviceMetric(METRICS.dataApiErrors, 'Sum'),
      threshold: 0,
      description:
        'Data API calls failed for a reason other than their SQL (writer unavailable, resume longer than the retry budget, statement timeout, access denied): see the functions’ logs.',
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
  }

  /** The writer near its maximum capacity for 15 minutes: raise `database.maxCapacity` or find the load. */
  watchDatabaseCapacity(clusterIdentifier: string, maxCapacity: number): void {
    const threshold = Math.round(maxCapacity * 0.9 * 10) / 10;
    this.alarm('AuroraCapacityNearMax', {
      metric: new Metric({
        namespace: 'AWS/RDS',
        metricName: 'ServerlessDatabaseCapacity',
        dimensionsMap: { DBClusterIdentifier: clusterIdentifier },
        statistic: 'Maximum',
        period: PERIOD,
      }),
      threshold,
      description: `Aurora has run above ${threshold} of its ${maxCapacity} ACU maximum for 15 minutes: requests will slow down; raise database.maxCapacity or find the load.`,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
  }

  private alarm(
    id: string,
    options: { metric: IMetric; threshold: number; description: string; evaluationPeriods: number; datapointsToAlarm: number },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.prefix}-${id}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }
}
