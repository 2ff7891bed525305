import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Dashboard, GraphWidget, MathExpression, Metric, TextWidget, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../../functions/metric-names.js';

const PERIOD = Duration.minutes(5);

export interface ServiceDashboardProps {
  /** The dashboard's name and the `service` dimension, e.g. `customer-mgmt-dev`. */
  readonly name: string;
  readonly environment: string;
  readonly api: HttpApi;
  /** Every function of the service, by the id it has in the template. */
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly consumers: readonly {
    readonly name: string;
    readonly consumer: string;
    readonly deliveryDlq: IQueue;
    readonly handlerDlq: IQueue;
  }[];
  readonly clusterIdentifier: string;
  readonly maxCapacity: number;
}

/**
 * One dashboard per environment, read top to bottom: is the API serving (request rate, p99
 * latency, errors), are our events getting out (delivery lag, published, failed, parked), are other
 * contexts' events getting in (dead letters, DLQ depth, consumer errors), and is the database
 * coping (Aurora capacity, Data API errors and throttles). docs/deploying.md explains each graph.
 */
export class ServiceDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const ours = (metricName: string, statistic: string, extra: Record<string, string> = {}, label?: string) =>
      new Metric({
        namespace: METRICS.namespace,
        metricName,
        dimensionsMap: { [METRICS.dimensions.service]: props.name, [METRICS.dimensions.environment]: props.environment, ...extra },
        statistic,
        period: PERIOD,
        ...(label && { label }),
      });
    const graph = (title: string, left: IMetric[], options: { right?: IMetric[]; width?: number; leftLabel?: string } = {}) =>
      new GraphWidget({
        title,
        left,
        right: options.right ?? [],
        width: options.width ?? 8,
        height: 6,
        ...(options.leftLabel && { leftYAxis: { label: options.leftLabel, showUnits: false } }),
      });
    const functionErrors = Object.entries(props.functions).map(([name, fn]) =>
      fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: name }),
    );

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.name, defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${props.name}\nAPI, event delivery, incoming events, database. Alarms: \`${props.name}-*\`. How to read it: docs/deploying.md, "Dashboard and alarms".`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('API requests (per 5 minutes)', [props.api.metricCount({ period: PERIOD, statistic: 'Sum', label: 'requests' })]),
      graph('API latency p99 (ms)', [
        props.api.metricLatency({ period: PERIOD, statistic: 'p99', label: 'p99 latency' }),
        props.api.metricIntegrationLatency({ period: PERIOD, statistic: 'p99', label: 'p99 integration latency' }),
      ]),
      graph(
        'API errors',
        [
          props.api.metricServerError({ period: PERIOD, statistic: 'Sum', label: '5xx' }),
          props.api.metricClientError({ period: PERIOD, statistic: 'Sum', label: '4xx' }),
        ],
        { right: functionErrors, leftLabel: 'responses' },
      ),
    );
    this.dashboard.addWidgets(
      graph('Event delivery lag: oldest undelivered event (s)', [ours(METRICS.oldestUndeliveredAge, 'Maximum', {}, 'oldest undelivered')]),
      graph('Events published / failed by the relay', [
        ours(METRICS.published, 'Sum', {}, 'published by the relay'),
        ours(METRICS.failed, 'Sum', {}, 'failed'),
      ]),
      graph('Parked events', [ours(METRICS.parked, 'Maximum', {}, 'parked')]),
    );
    this.dashboard.addWidgets(
      graph(
        'Consumer failures: dead letters',
        props.consumers.map((c) => ours(METRICS.deadLetters, 'Sum', { [METRICS.dimensions.consumer]: c.consumer }, c.name)),
      ),
      graph(
        'Consumer failures: messages in DLQs',
        props.consumers.flatMap((c) => [
          c.deliveryDlq.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: `${c.name} delivery DLQ` }),
          c.handlerDlq.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: `${c.name} handler DLQ` }),
        ]),
      ),
      graph(
        'Consumer failures: invocation errors',
        props.consumers.flatMap((c) => {
          const fn = props.functions[c.name];
          return fn ? [fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: c.name })] : [];
        }),
      ),
    );
    const capacity = new Metric({
      namespace: 'AWS/RDS',
      metricName: 'ServerlessDatabaseCapacity',
      dimensionsMap: { DBClusterIdentifier: props.clusterIdentifier },
      statistic: 'Maximum',
      period: PERIOD,
      label: 'capacity (ACU)',
    });
    this.dashboard.addWidgets(
      graph('Aurora capacity (ACU)', [
        capacity,
        new MathExpression({
          expression: `${props.maxCapacity} + 0 * capacity`,
          usingMetrics: { capacity },
          label: 'maximum',
          period: PERIOD,
        }),
      ]),
      graph('Data API failures (not SQL errors)', [
        ours(METRICS.dataApiErrors, 'Sum', {}, 'errors'),
        ours(METRICS.dataApiThrottles, 'Sum', {}, 'throttles'),
      ]),
      graph(
        'Function throttles',
        Object.entries(props.functions).map(([name, fn]) => fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: name })),
      ),
    );
  }
}
