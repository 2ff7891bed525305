import type { Context, EventBridgeEvent } from 'aws-lambda';

/** The context Lambda passes (the Powertools middlewares read it). */
const lambdaContext = (functionName: string) =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:333333333333:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'request-1',
    getRemainingTimeInMillis: () => 30_000,
  }) as Context;
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENT_CONSUMERS } from '../../infra/stacks/customer-mgmt-stack.js';
import { logicalId, removeSynthOutputs, resources, synthService, type SynthesizedService } from './service-app-fixture.js';

// The DeadLetters alarm and the consumer handler must agree on namespace, metric name and
// dimension values. The handler runs here as the template configures it (SERVICE_NAME, LOG_LEVEL),
// with the consumer replaced: only its metric line is under test. The Data API client it builds
// never gets to send a request.
const outcome = vi.hoisted(() => ({ next: 'dead_lettered' as 'dead_lettered' | 'applied' }));
vi.mock('../../functions/integration/event-consumer.js', () => ({
  createEventConsumer: () => async (event: EventBridgeEvent<string, unknown>) =>
    outcome.next === 'dead_lettered'
      ? { outcome: 'dead_lettered', event_id: event.id, detail_type: event['detail-type'], reason: 'detail.user_id: Invalid UUID' }
      : { outcome: 'applied', event_id: event.id, detail_type: event['detail-type'], result: 'created lead' },
}));

let prod: SynthesizedService;
beforeAll(() => {
  prod = synthService('prod');
});
afterAll(removeSynthOutputs);
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.resetModules();
});

const event = (source: string): EventBridgeEvent<string, unknown> => ({
  version: '0',
  id: 'evt-1',
  'detail-type': 'Anything',
  source,
  account: '333333333333',
  time: '2026-01-10T09:00:00Z',
  region: 'eu-central-1',
  resources: [],
  detail: {},
});

/** Runs the handler with the template's environment and returns what it wrote to stdout. */
async function run(source: keyof typeof EVENT_CONSUMERS): Promise<Record<string, any>[]> {
  const { consumer } = EVENT_CONSUMERS[source];
  const fn = prod.stack.consumers[source]!.function;
  const variables = resources(prod.template)[logicalId(fn)]!.Properties.Environment.Variables as Record<string, unknown>;
  for (const name of ['SERVICE_NAME', 'ENVIRONMENT_NAME', 'LOG_LEVEL', 'EVENTS_SOURCE']) vi.stubEnv(name, variables[name] as string);
  // Tokens in the template; any values do, nothing is called.
  vi.stubEnv('DB_CLUSTER_ARN', 'arn:aws:rds:eu-central-1:333333333333:cluster:customer-mgmt-prod');
  vi.stubEnv('DB_SECRET_ARN', 'arn:aws:secretsmanager:eu-central-1:333333333333:secret:admin-AbCdEf');
  vi.stubEnv('DB_NAME', variables.DB_NAME as string);
  vi.stubEnv('AWS_REGION', 'eu-central-1');
  vi.stubEnv('EVENT_BUS_NAME', '');
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const { handler } = (await import(`../../functions/${consumer}/handler.ts`)) as {
    handler: (e: EventBridgeEvent<string, unknown>, context: Context) => Promise<unknown>;
  };
  await handler(event(source), lambdaContext(fn.node.id));
  return lines
    .flatMap((line) => line.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('the DeadLetters metric the consumers emit is the one their alarms watch', () => {
  it.each(Object.keys(EVENT_CONSUMERS) as (keyof typeof EVENT_CONSUMERS)[])('%s', async (source) => {
    outcome.next = 'dead_lettered';
    const { functionId } = EVENT_CONSUMERS[source];
    const [alarm] = Object.values(resources(prod.template, 'AWS::CloudWatch::Alarm')).filter(
      (candidate) => candidate.Properties.AlarmName === `customer-mgmt-prod-${functionId}DeadLetters`,
    );

    const metricLines = (await run(source)).filter((line) => line._aws);

    expect(metricLines).toHaveLength(1);
    const [line] = metricLines;
    const [directive] = line!._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe(alarm!.Properties.Namespace);
    expect(directive.Metrics).toEqual([{ Name: alarm!.Properties.MetricName, Unit: 'Count' }]);
    const dimensions = alarm!.Properties.Dimensions as { Name: string; Value: string }[];
    expect([...directive.Dimensions[0]].sort()).toEqual(dimensions.map((dimension) => dimension.Name).sort());
    for (const { Name, Value } of dimensions) expect(line![Name], Name).toBe(Value);
    expect(line![alarm!.Properties.MetricName]).toBe(1);
  });

  it('is not emitted for an applied event', async () => {
    outcome.next = 'applied';

    const lines = await run('identity');

    expect(lines.some((line) => line._aws)).toBe(false);
    expect(lines).toContainEqual(expect.objectContaining({ message: 'event consumed', outcome: 'applied' }));
  });
});
