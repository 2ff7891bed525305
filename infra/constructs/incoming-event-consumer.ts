import { Duration, Validations } from 'aws-cdk-lib';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceFunctions } from './service-functions.js';

/** Dead letters wait two weeks (the SQS maximum) for someone to look at them. */
export const DLQ_RETENTION = Duration.days(14);

export interface IncomingEventConsumerProps {
  /** Creates the function with the service's defaults; it is named `functionId` there. */
  readonly functions: ServiceFunctions;
  readonly functionId: string;
  /** Entry file relative to the project root. */
  readonly entry: string;
  readonly description: string;
  /** The bus the rule listens on (the other contexts publish there). */
  readonly eventBus: IEventBus;
  readonly source: string;
  readonly detailTypes: readonly string[];
  /** EventBridge's retries when it cannot hand an event to the function. */
  readonly deliveryMaxEventAge: Duration;
  readonly deliveryRetryAttempts: number;
  /** Lambda's retries when the handler throws. */
  readonly handlerRetryAttempts: number;
  readonly timeout?: Duration;
}

/**
 * One consumer of another context's events: a rule on the bus for its source and detail types,
 * the function it targets (Data API transactions, publishes the customer events it causes), and a
 * dead-letter queue at each of the two places an event can be given up on:
 * - `DeliveryDlq`: EventBridge could not invoke the function within its retry policy;
 * - `HandlerDlq`: the function was invoked but threw on every attempt (an event that can never be
 *   applied is not an error: the handler parks it in the database and returns).
 * Both hold the original EventBridge event as the message body.
 */
export class IncomingEventConsumer extends Construct {
  readonly function: NodejsFunction;
  readonly rule: Rule;
  readonly deliveryDlq: Queue;
  readonly handlerDlq: Queue;

  constructor(scope: Construct, id: string, props: IncomingEventConsumerProps) {
    super(scope, id);

    this.handlerDlq = this.deadLetterQueue('HandlerDlq');
    this.function = props.functions.add(props.functionId, {
      entry: props.entry,
      description: props.description,
      dataApi: 'transactions',
      databaseUser: 'write',
      publishesEvents: true,
      // Room for a paused (dev) cluster to resume (up to the 45 s budget) before the attempt counts as failed.
      timeout: props.timeout ?? Duration.seconds(90),
      resumeBudget: 'background',
      asyncRetryAttempts: props.handlerRetryAttempts,
      deadLetterQueue: this.handlerDlq,
    });

    this.deliveryDlq = this.deadLetterQueue('DeliveryDlq');
    // SQS3 looks for a Lambda or queue that names this queue as its DLQ; a rule target's DLQ is not recognised.
    Validations.of(this.deliveryDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `The queue is itself a dead-letter queue: the ${id} rule target sends the events EventBridge could not deliver here, and only operators read from it (redrive).`,
    });

    this.rule = new Rule(this, 'Rule', {
      description: `Routes ${props.source} events to the ${props.functionId} consumer of customer-mgmt`,
      eventBus: props.eventBus,
      eventPattern: { source: [props.source], detailType: [...props.detailTypes] },
      targets: [
        // Adds the invoke permission (this rule only) and the queue policy (events.amazonaws.com, this rule only).
        new LambdaFunction(this.function, {
          deadLetterQueue: this.deliveryDlq,
          maxEventAge: props.deliveryMaxEventAge,
          retryAttempts: props.deliveryRetryAttempts,
        }),
      ],
    });
  }

  private deadLetterQueue(id: string): Queue {
    return new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
    });
  }
}
