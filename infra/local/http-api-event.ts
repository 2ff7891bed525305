import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface HttpApiRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQueryString: string;
  readonly headers: Record<string, string>;
  readonly body?: string | undefined;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
  readonly requestId: string;
  readonly sourceIp?: string;
  readonly claims?: Record<string, unknown> | undefined;
}

/** An API Gateway HTTP API payload 2.0 event, shaped as AWS delivers it to a Lambda integration. */
export function buildHttpApiEvent(request: HttpApiRequest, now = Date.now()): APIGatewayProxyEventV2 {
  const query = new URLSearchParams(request.rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  // API Gateway joins repeated query keys with commas.
  for (const key of new Set(query.keys())) queryStringParameters[key] = query.getAll(key).join(',');
  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQueryString,
    headers: request.headers,
    ...(request.rawQueryString.length > 0 && { queryStringParameters }),
    ...(Object.keys(request.pathParameters).length > 0 && { pathParameters: request.pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: request.headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: request.routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      ...(request.claims && { authorizer: { jwt: { claims: request.claims, scopes: [] } } }),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(request.body !== undefined && request.body.length > 0 && { body: request.body }),
    isBase64Encoded: false,
  };
}
