import type { MiddlewareObj } from '@middy/core';
import jsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './http-errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Enforces the body size limit, then lets middy's JSON parser parse bodies that are present.
 * middy answers both a wrong content type and malformed JSON with 415; we report them apart.
 */
export function jsonBody(
  limitOf: (event: APIGatewayProxyEventV2) => number | undefined = () => undefined,
): MiddlewareObj<APIGatewayProxyEventV2> {
  const parser = jsonBodyParser();
  return {
    before: async (request) => {
      const { body, isBase64Encoded } = request.event;
      if (body === undefined || body === '') {
        request.event.body = undefined;
        return;
      }
      const bytes = isBase64Encoded ? Buffer.from(body, 'base64').length : Buffer.byteLength(body);
      const limit = limitOf(request.event) ?? MAX_BODY_BYTES;
      if (bytes > limit) {
        throw new HttpError(
          'PAYLOAD_TOO_LARGE',
          `The request body is ${bytes} bytes; the limit of this route is ${limit} bytes (${limit / 1024} KiB).`,
          {
            size_bytes: bytes,
            limit_bytes: limit,
          },
        );
      }
      try {
        await parser.before?.(request as never);
      } catch (error) {
        const message = error instanceof Error ? error.message : '';
        if (message === 'Unsupported Media Type') {
          throw new HttpError(
            'UNSUPPORTED_CONTENT_TYPE',
            `Send the body as JSON with the header Content-Type: application/json (got ${JSON.stringify(request.event.headers['content-type'] ?? null)}).`,
          );
        }
        throw new HttpError('MALFORMED_JSON', 'The request body is not valid JSON.');
      }
    },
  };
}
