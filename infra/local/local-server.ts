import { randomUUID } from 'node:crypto';
import { createServer, validateHeaderName, validateHeaderValue, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Logger } from '../../functions/logger.js';
import { failure, type HttpResponse } from '../../functions/http/responses.js';
import { MAX_BODY_BYTES } from '../../functions/http/json-body.js';
import { routeKey, type Route, type RouteGroup } from '../../functions/http/route.js';
import { createRouteMatcher } from '../../functions/http/route-matcher.js';
import { unmatchedRouteResponse } from '../../functions/http/unmatched-route.js';
import { unauthorizedResponse, type AuthorizerResult } from './dev-auth.js';
import { buildHttpApiEvent } from './http-api-event.js';

/** A Lambda handler as the local server invokes it. */
export type GroupHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>;

export interface LocalServerOptions {
  readonly routes: readonly Route<any, any, any, any>[];
  readonly handlers: Readonly<Record<RouteGroup, GroupHandler>>;
  readonly port: number;
  readonly host?: string;
  readonly logger: Logger;
  /**
   * Endpoints that exist only on a laptop, outside the route table (e.g. the stand-in for the
   * platform's event bus), keyed by `METHOD /path`; they take the raw body (and the query string).
   */
  readonly localEndpoints?: Readonly<
    Record<
      string,
      (body: string, requestId: string, headers: Readonly<Record<string, string>>, query: URLSearchParams) => Promise<HttpResponse>
    >
  >;
  /**
   * Local endpoints that read the request body themselves, as a stream (the stand-in for a
   * presigned S3 PUT of an import file, far over the 1 MiB the other endpoints read), keyed by `METHOD /path`.
   */
  readonly streamEndpoints?: Readonly<
    Record<string, (request: IncomingMessage, requestId: string, query: URLSearchParams) => Promise<HttpResponse>>
  >;
  /** Validates the bearer token as API Gateway's JWT authorizer would, giving the claims or why not. */
  readonly authorize?: (route: Route<any, any, any, any>, headers: Record<string, string>) => Promise<AuthorizerResult>;
}

// API Gateway refuses bodies over 10 MB; the handlers enforce our own limit (64 KiB, 1 MiB on the
// batch routes). The local server stops reading at 1 MiB so a runaway client cannot fill its memory.
const MAX_READ_BYTES = 1024 * 1024;

/** The body, or null once it passes MAX_READ_BYTES: reading stops there, and the answer must close the connection. */
function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_READ_BYTES) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      request.off('end', onEnd);
      request.pause();
      resolve(null);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', reject);
  });
}

/**
 * The 413 for a body the server stopped reading. The rest of it is still on the connection, so
 * the connection is closed with the answer; kept alive, its next request would never be read.
 */
const tooLarge = (message: string, requestId: string) =>
  failure('PAYLOAD_TOO_LARGE', message, requestId, { headers: { connection: 'close' } });

/** A request the client gave up on (closed the connection) before it was answered. */
function abandoned(request: IncomingMessage, error?: unknown): boolean {
  if (error !== undefined) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    const clientGone = message === 'aborted' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (!clientGone) return false;
  }
  // (request.destroyed says nothing here: a request is destroyed once its body has been read.)
  return request.socket.destroyed;
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function lambdaContext(requestId: string, group: string): Context {
  return {
    awsRequestId: requestId,
    functionName: `local-${group}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${group}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/local-${group}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Serves the route table over HTTP by turning each request into an API Gateway HTTP API
 * (payload 2.0) event and invoking the route group's Lambda handler, as AWS would.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const match = createRouteMatcher(options.routes);

  async function respond(request: IncomingMessage, requestId: string): Promise<HttpResponse> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const streamed = options.streamEndpoints?.[`${method} ${url.pathname}`];
    if (streamed) return streamed(request, requestId, url.searchParams);
    const local = options.localEndpoints?.[`${method} ${url.pathname}`];
    if (local) {
      const body = await readBody(request);
      return body === null
        ? tooLarge('The request body is over 1 MiB.', requestId)
        : local(body, requestId, headersOf(request), url.searchParams);
    }
    // HEAD is answered for every GET route: the GET's response, whose body Node does not send.
    const matched = match(method === 'HEAD' ? 'GET' : method, url.pathname);
    if (matched.kind === 'method_not_allowed') {
      const allowed = matched.allowed.includes('GET') ? [...matched.allowed, 'HEAD'] : matched.allowed;
      return unmatchedRouteResponse({ kind: 'method_not_allowed', allowed }, method, url.pathname, requestId);
    }
    if (matched.kind !== 'matched') return unmatchedRouteResponse(matched, method, url.pathname, requestId);

    const headers = headersOf(request);
    const auth = options.authorize ? await options.authorize(matched.route, headers) : {};
    if ('rejected' in auth) return unauthorizedResponse(auth.rejected, requestId);
    const body = await readBody(request);
    if (body === null) {
      const limit = matched.route.maxBodyBytes ?? MAX_BODY_BYTES;
      return tooLarge(`The request body is over the limit of this route, ${limit} bytes (${limit / 1024} KiB).`, requestId);
    }

    const event = buildHttpApiEvent({
      method,
      path: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      body,
      routeKey: routeKey(matched.route),
      pathParameters: matched.pathParameters,
      requestId,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      claims: auth.claims,
    });
    return options.handlers[matched.route.group](event, lambdaContext(requestId, matched.route.group));
  }

  const internalError = (requestId: string) =>
    failure('INTERNAL_ERROR', 'Something went wrong on our side. Quote the request id if you report it.', requestId);

  /**
   * Writes a handler's response; returns the status actually sent. Headers are checked before
   * anything is written: one Node refuses (CR/LF, text above U+00FF) becomes a logged 500 instead
   * of an exception that would take the process down.
   */
  function write(response: ServerResponse, result: HttpResponse, requestId: string): number {
    const headers: Record<string, string> = { 'x-request-id': requestId, ...result.headers };
    try {
      for (const [name, value] of Object.entries(headers)) {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      }
    } catch (error) {
      options.logger.error('response could not be written', { request_id: requestId, status: result.statusCode, error: String(error) });
      const fallback = internalError(requestId);
      response.writeHead(fallback.statusCode, fallback.headers);
      response.end(fallback.body);
      return fallback.statusCode;
    }
    response.writeHead(result.statusCode, headers);
    response.end(result.body ?? '');
    return result.statusCode;
  }

  const server = createServer((request, response) => {
    const started = performance.now();
    const requestId = randomUUID();
    // A client that hangs up makes the request emit 'error'; the outcome is handled below, never thrown.
    request.on('error', () => undefined);
    const gone = (reason: string) =>
      options.logger.info('client closed the connection before the answer', { request_id: requestId, path: request.url, reason });
    respond(request, requestId)
      .catch((error: unknown): HttpResponse | null => {
        if (abandoned(request, error)) return null;
        options.logger.error('local server failure', { request_id: requestId, error: String(error) });
        return internalError(requestId);
      })
      .then((result) => {
        if (result === null) return gone('aborted while sending the request');
        if (abandoned(request)) return gone('disconnected while the request ran');
        const status = write(response, result, requestId);
        options.logger.info('request', {
          method: request.method,
          path: request.url,
          status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          request_id: requestId,
        });
      })
      // Nothing a request does may reject unobserved: that would end the process.
      .catch((error: unknown) => {
        options.logger.error('response could not be written', { request_id: requestId, error: String(error) });
        response.destroy();
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
