import * as z from 'zod';
import { OWNER_SCOPED_ROLES } from '../auth/permissions.js';
import type { ErrorCode } from '../http/http-errors.js';
import { innerOfSingle } from '../http/query-parameters.js';
import { fullPath, type Route } from '../http/route.js';
import { exampleOf, type JsonSchema } from './schema-examples.js';

/**
 * The OpenAPI 3.1 document of the service, generated from the route table and its zod schemas:
 * a route is documented the moment it is added to the table, with its parameters, body, success
 * envelope, every error code it can answer, headers, roles and examples.
 */
export interface OpenApiOptions {
  readonly version: string;
  /** The HTTP status of every error code (the one composed table the handlers use). */
  readonly errorStatus: Readonly<Record<ErrorCode, number>>;
}

type Json = Record<string, unknown>;

const TO_JSON = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' } as const;
const OUT_JSON = { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' } as const;

/** Named schemas (a zod `.meta({ title })`) collected into components and referenced, so each is written once. */
type Components = Record<string, JsonSchema>;

function hoistTitled(node: unknown, components: Components): unknown {
  if (Array.isArray(node)) return node.map((item) => hoistTitled(item, components));
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node).map(([key, value]) => [key, hoistTitled(value, components)] as const);
  const object = Object.fromEntries(entries) as Json;
  if (typeof object.title !== 'string' || object.type === undefined) return object;
  const name = object.title.replace(/[^A-Za-z0-9_.-]/g, '');
  components[name] ??= object;
  return { $ref: `#/components/schemas/${name}` };
}

/** A zod schema as JSON Schema for OpenAPI: no `$schema` keyword, named parts moved to components. */
function jsonSchema(schema: z.ZodType, components: Components, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, io === 'input' ? TO_JSON : OUT_JSON) as Json;
  return hoistTitled(rest, components) as JsonSchema;
}

const HEADERS = {
  'X-Request-Id': { description: 'The id of this request; quote it when reporting a problem.', schema: { type: 'string' } },
  ETag: { description: 'The version of the record as a strong entity tag, e.g. "3".', schema: { type: 'string', examples: ['"3"'] } },
  Location: { description: 'The URL of the created record.', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string', examples: ['15'] } },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored response of an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
};

const REQUEST_HEADERS = {
  ifMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'Apply the change only to this version (the ETag you read), else 412.',
    schema: { type: 'string', examples: ['"3"'] },
  },
  ifNoneMatch: {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: 'Answer 304 without a body when the record is still at this version.',
    schema: { type: 'string', examples: ['"3"'] },
  },
  idempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Retry safely: the first response to this key is stored for 24 h and replayed (1-255 visible ASCII characters).',
    schema: { type: 'string', minLength: 1, maxLength: 255, examples: ['4f9b2d0e-8a51-4f8e-9c3b-2a1d6e7f0c11'] },
  },
};

/** The error codes a route can answer: its own plus those its shape implies. */
export function errorCodesOf(route: Route<any, any, any, any>): ErrorCode[] {
  // Any request can carry a bad body, header or query parameter, and any can fail on our side.
  const codes = new Set<ErrorCode>([
    'VALIDATION_FAILED',
    'MALFORMED_JSON',
    'UNSUPPORTED_CONTENT_TYPE',
    'PAYLOAD_TOO_LARGE',
    'INTERNAL_ERROR',
    'SERVICE_UNAVAILABLE',
  ]);
  if (route.method === 'POST' || route.method === 'PUT') {
    codes.add('IDEMPOTENCY_KEY_REUSED');
    codes.add('IDEMPOTENCY_REQUEST_IN_PROGRESS');
  }
  if (!route.public) {
    codes.add('UNAUTHORIZED');
    codes.add('FORBIDDEN');
  }
  for (const code of route.errors ?? []) codes.add(code);
  return [...codes];
}

function errorEnvelope(codes: readonly ErrorCode[]): JsonSchema {
  return {
    type: 'object',
    required: ['status', 'error'],
    additionalProperties: false,
    properties: {
      status: { const: 'error' },
      error: {
        type: 'object',
        required: ['code', 'message', 'request_id'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', enum: [...codes].sort() },
          message: { type: 'string', description: 'What went wrong and what to do about it.' },
          details: { type: 'object', description: 'Machine-readable specifics, e.g. `fields` for VALIDATION_FAILED.' },
          request_id: { type: 'string' },
        },
      },
    },
  };
}

function successEnvelope(route: Route<any, any, any, any>, components: Components): JsonSchema | undefined {
  const { response } = route;
  if (response.status === 204) return undefined;
  const data = response.data ? jsonSchema(response.data, components, 'output') : {};
  if (response.raw) return data;
  const properties: Record<string, JsonSchema> = { status: { const: 'success' }, data };
  if (response.paginated) {
    properties.pagination = {
      type: 'object',
      required: ['limit', 'next_cursor'],
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 100 },
        next_cursor: {
          anyOf: [{ type: 'string' }, { type: 'null' }],
          description: 'Pass as `cursor` (or `after`) for the next page; null on the last page.',
        },
        total: { type: 'integer', minimum: 0, description: 'Every match (searches with `count: true`).' },
      },
    };
  }
  const required = Object.keys(properties);
  // Present only when there is something to say, so not required.
  if (response.warnings) properties.warnings = jsonSchema(response.warnings, components, 'output');
  return { type: 'object', required, additionalProperties: false, properties };
}

function parametersOf(route: Route<any, any, any, any>, components: Components): Json[] {
  const parameters: Json[] = [];
  const add = (location: 'path' | 'query', schema: z.ZodType | undefined) => {
    if (!schema) return;
    const object = jsonSchema(schema, components);
    const required = new Set((object.required as string[] | undefined) ?? []);
    const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
    for (const [name, property] of Object.entries((object.properties ?? {}) as Record<string, JsonSchema>)) {
      const inner = innerOfSingle(shape[name]);
      const parameterSchema = inner ? jsonSchema(inner, components) : property;
      const defaulted = 'default' in property ? { default: property.default } : {};
      parameters.push({
        name,
        in: location,
        required: location === 'path' || required.has(name),
        schema: { ...parameterSchema, ...defaulted },
        example: exampleOf({ ...parameterSchema, ...defaulted }, name, { components: { schemas: components } }),
      });
    }
  };
  add('path', route.params);
  add('query', route.query);
  if (route.conditional === 'if-match') parameters.push(REQUEST_HEADERS.ifMatch);
  if (route.conditional === 'if-none-match') parameters.push(REQUEST_HEADERS.ifNoneMatch);
  if ((route.method === 'POST' || route.method === 'PUT') && route.group !== 'api-read') parameters.push(REQUEST_HEADERS.idempotencyKey);
  return parameters;
}

function responseHeaders(names: readonly (keyof typeof HEADERS)[]): Json {
  return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

function responsesOf(route: Route<any, any, any, any>, options: OpenApiOptions, components: Components): Json {
  const responses: Json = {};
  const success = successEnvelope(route, components);
  const headers: (keyof typeof HEADERS)[] = ['X-Request-Id'];
  if (route.response.headers?.includes('etag')) headers.push('ETag');
  if (route.response.headers?.includes('location')) headers.push('Location');
  if (route.method === 'POST' || route.method === 'PUT') headers.push('Idempotent-Replayed');
  responses[String(route.response.status)] = {
    description: route.summary,
    headers: responseHeaders(headers),
    ...(success && {
      content: { 'application/json': { schema: success, example: exampleOf(success, '', { components: { schemas: components } }) } },
    }),
  };
  const { alternative } = route.response;
  if (alternative) {
    responses[String(alternative.status)] = { ...(responses[String(route.response.status)] as Json), description: alternative.description };
  }
  if (route.conditional === 'if-none-match') {
    responses['304'] = {
      description: 'Not modified: the record is still at the version named in If-None-Match.',
      headers: responseHeaders(['ETag']),
    };
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(route)) {
    const status = options.errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const schema = errorEnvelope(codes);
    const retry: (keyof typeof HEADERS)[] = status === 503 || codes.includes('IDEMPOTENCY_REQUEST_IN_PROGRESS') ? ['Retry-After'] : [];
    responses[String(status)] = {
      description: codes.sort().join(', '),
      headers: responseHeaders(['X-Request-Id', ...retry]),
      content: {
        'application/json': {
          schema,
          example: {
            status: 'error',
            error: { code: codes[0], message: `Example of ${codes[0]}.`, request_id: '5b0c1c2e-7f77-4d3a-9a58-3f1f0b0f9b8e' },
          },
        },
      },
    };
  }
  return responses;
}

function rolesText(route: Route<any, any, any, any>): string {
  if (route.public || !route.permission) return 'Public: no token needed.';
  const roles = route.permission.roles.map((role) => (OWNER_SCOPED_ROLES.includes(role) ? `${role} (own records only)` : role));
  return `Permission \`${route.permission.name}\`, granted to: ${roles.join(', ')}.`;
}

function operationOf(route: Route<any, any, any, any>, options: OpenApiOptions, components: Components): Json {
  const tag =
    fullPath(route)
      .replace(/^\/api\/v1\/customer-mgmt\//, '')
      .split('/')[0] || 'service';
  const operation: Json = {
    operationId: route.operationId,
    summary: route.summary,
    description: rolesText(route),
    tags: [tag],
    parameters: parametersOf(route, components),
    responses: responsesOf(route, options, components),
    ...(route.public
      ? { security: [] }
      : { security: [{ bearer: [] }], 'x-permission': route.permission!.name, 'x-roles': route.permission!.roles }),
  };
  if (route.body) {
    const schema = jsonSchema(route.body.schema, components);
    const example = exampleOf(schema, '', { components: { schemas: components } });
    operation.requestBody = { required: route.body.required, content: { 'application/json': { schema, example } } };
  }
  return operation;
}

/** The whole document for a route table. */
export function buildOpenApiDocument(routes: readonly Route<any, any, any, any>[], options: OpenApiOptions): Json {
  const paths: Record<string, Json> = {};
  const components: Components = {};
  for (const route of routes) {
    const path = fullPath(route);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operationOf(route, options, components) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Customer Management API',
      version: options.version,
      description:
        'The CRM bounded context: customers and their lifecycle, assignment, tiers, tags, purchase history and domain events. ' +
        'Success is `{"status":"success","data":…}`; errors are `{"status":"error","error":{"code","message","details"?,"request_id"}}`.',
    },
    servers: [{ url: '/', description: 'This deployment (paths include the base path /api/v1/customer-mgmt)' }],
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      headers: HEADERS,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token of the platform identity provider; roles in the `roles` claim.',
        },
      },
    },
    paths,
  };
}
