import type { EventConsumer } from '../../functions/integration/event-consumer.js';
import type { Logger } from '../../functions/logger.js';
import { failure, success, type HttpResponse } from '../../functions/http/responses.js';

/** Where `npm run events:send` posts events: the laptop's stand-in for the platform's event bus. */
export const LOCAL_EVENT_INTAKE = 'POST /_local/eventbridge';

/**
 * Takes one EventBridge-shaped event (`{"source","detail-type","id","time","detail"}`) and hands
 * it to the same consumer the Lambdas run, answering with the consumer's outcome.
 */
export function createLocalEventIntake(consume: EventConsumer, logger: Logger) {
  return async (body: string, requestId: string, headers: Readonly<Record<string, string>>): Promise<HttpResponse> => {
    // Only JSON: a web page can post text/plain or a form to localhost cross-origin without asking
    // first; application/json makes the browser ask (CORS preflight), which this server never grants.
    const mediaType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json') {
      return failure(
        'UNSUPPORTED_CONTENT_TYPE',
        `Send the event as JSON with the header Content-Type: application/json (got ${JSON.stringify(headers['content-type'] ?? null)}).`,
        requestId,
      );
    }
    let event: unknown;
    try {
      event = JSON.parse(body);
    } catch {
      return failure('MALFORMED_JSON', 'Send one EventBridge event as a JSON object.', requestId);
    }
    const outcome = await consume(event);
    logger.info('incoming event', { ...outcome });
    return success(200, outcome);
  };
}
