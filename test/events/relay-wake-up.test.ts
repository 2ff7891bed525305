import { EVENT_CATALOGUE } from '../../functions/event-catalogue.js';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/config.js';
import { immediateDeliveryFor } from '../../functions/events/delivery-runtime.js';
import { createRelayWakeUp, RELAY_WAKE_UP_SOURCE } from '../../functions/events/relay-wake-up.js';
import { recordingLogger } from './event-test-kit.js';

const lambda = mockClient(LambdaClient);
afterEach(() => lambda.reset());

const EVENT_ID = '019b6ec4-0000-7000-8000-000000000e01';

describe('waking the relay from the write path', () => {
  it('invokes the relay function asynchronously (InvocationType Event) with the event ids', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const wake = createRelayWakeUp({
      client: new LambdaClient({ region: 'eu-central-1' }),
      functionName: 'relay-fn',
      logger: recordingLogger().logger,
    });

    await wake([EVENT_ID]);

    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call!.args[0].input).toMatchObject({ FunctionName: 'relay-fn', InvocationType: 'Event' });
    expect(JSON.parse(Buffer.from(call!.args[0].input.Payload as Uint8Array).toString('utf8'))).toEqual({
      source: RELAY_WAKE_UP_SOURCE,
      event_ids: [EVENT_ID],
    });
  });

  it('never throws when Lambda refuses: the sweep is the safety net', async () => {
    lambda.on(InvokeCommand).rejects(new Error('TooManyRequestsException'));
    const { logger, lines } = recordingLogger();
    const wake = createRelayWakeUp({ client: new LambdaClient({ region: 'eu-central-1' }), functionName: 'relay-fn', logger });

    await expect(wake([EVENT_ID])).resolves.toBeUndefined();
    expect(lines.some((line) => line.level === 'WARN' && /sweep/.test(String(line.message)))).toBe(true);
  });

  it('with immediate delivery switched off, every commit only wakes the relay', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const config = loadConfig({
      EVENT_BUS_NAME: 'bus',
      EVENTS_DELIVER_AFTER_COMMIT: 'false',
      RELAY_FUNCTION_NAME: 'relay-fn',
      AWS_REGION: 'eu-central-1',
    });
    const afterCommit = immediateDeliveryFor(config, {} as never, recordingLogger().logger, EVENT_CATALOGUE);

    await afterCommit!([{ eventId: EVENT_ID } as never]);

    expect(lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input.FunctionName)).toEqual(['relay-fn']);
  });
});
