import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { fullPath } from '../../functions/http/route.js';
import { openApiDocument, routes } from '../../functions/routes.js';
import { createOpenApiValidator } from '../support/openapi-contract.js';

const document = openApiDocument() as Record<string, any>;
const operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })),
);

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents every route of the table and nothing else', () => {
    expect(operations.map(({ key }) => key).sort()).toEqual(routes.map((route) => `${route.method} ${fullPath(route)}`).sort());
  });

  it('gives every operation a summary, its security and an example for every body it sends or receives', () => {
    for (const { key, operation } of operations) {
      expect(operation.summary, key).toBeTruthy();
      expect(operation.security, key).toBeDefined();
      if (operation.requestBody) expect(operation.requestBody.content['application/json'].example, key).toBeDefined();
      for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
        if (response.content) expect(response.content['application/json'].example, `${key} ${status}`).toBeDefined();
      }
    }
  });

  it('has examples that conform to their own schemas', () => {
    const { problems } = createOpenApiValidator(document);
    const failures: string[] = [];
    for (const { key, operation } of operations) {
      const body = operation.requestBody?.content['application/json'];
      if (body) failures.push(...problems(body.schema, body.example).map((problem) => `${key} request: ${problem}`));
      for (const parameter of operation.parameters as any[]) {
        failures.push(
          ...problems(parameter.schema, parameter.example ?? parameter.schema.examples?.[0]).map((p) => `${key} ${parameter.name}: ${p}`),
        );
      }
      for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
        const content = response.content?.['application/json'];
        if (content) failures.push(...problems(content.schema, content.example).map((problem) => `${key} ${status}: ${problem}`));
      }
    }
    expect(failures).toEqual([]);
    // …and the check can fail: a customer without most of its fields is not a customer
    expect(problems({ $ref: '#/components/schemas/Customer' }, { id: 'not-a-uuid' })).not.toEqual([]);
  });

  it('names the roles of every protected route and the bearer scheme', () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const qualify = document.paths['/api/v1/customer-mgmt/customers/{id}/qualify'].post;
    expect(qualify['x-permission']).toBe('customers:transition');
    expect(qualify['x-roles']).toEqual(['admin', 'manager', 'sales_rep', 'service']);
    expect(Object.keys(qualify.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '412', '500', '503']));
    expect(qualify.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(['id', 'If-Match', 'Idempotency-Key']);
  });
});
