import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';
import { aCompany } from '../support/company-fixtures.js';

const errorBody = (code: string, message: string | RegExp, details?: unknown) => ({
  status: 'error',
  error: {
    code,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
    ...(details !== undefined && { details }),
    request_id: expect.any(String),
  },
});

describe.each(availableDialects())('errors on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let customerId: string;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    const created = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ email: 'taken@example.com' }) });
    customerId = created.body.data.id;
  });
  afterAll(() => database.close());

  it('400 VALIDATION_FAILED lists every bad field of a create', async () => {
    const response = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: { name: '  ', email: 'not-an-email', phone: '12345', tier: 'gold', status: 'customer' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.request_id).toBe(response.headers['x-request-id']);
    const fields = response.body.error.details.fields.map((issue: { field: string }) => issue.field).sort();
    expect(fields).toEqual(['status', 'tier']);
    expect(response.body.error.details.fields).toContainEqual({
      field: 'status',
      message: 'status cannot be set directly; use the qualify, convert, churn and reactivate endpoints',
    });

    const semantic = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: { name: '  ', email: 'not-an-email', phone: '12345' },
    });
    expect(semantic.status).toBe(400);
    expect(semantic.body.error.details.fields.map((issue: { field: string }) => issue.field)).toEqual(['name', 'email', 'phone']);
  });

  it('400 when user_id and company_id are both given (B2C xor B2B)', async () => {
    const response = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: newCustomerBody({ user_id: randomUUID(), company_id: randomUUID() }),
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details.fields).toEqual([
      { field: 'company_id', message: 'a customer is either B2C (user_id) or B2B (company_id), not both; send only one of them' },
    ]);
  });

  it('400 MALFORMED_JSON for a body that is not JSON', async () => {
    const response = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: '{"name": "x",',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(errorBody('MALFORMED_JSON', 'The request body is not valid JSON.'));
  });

  it('400 UNSUPPORTED_CONTENT_TYPE for a body that is not declared JSON', async () => {
    const response = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      errorBody(
        'UNSUPPORTED_CONTENT_TYPE',
        'Send the body as JSON with the header Content-Type: application/json (got "application/x-www-form-urlencoded").',
      ),
    );
  });

  it('400 for a path id that is not a UUID', async () => {
    const response = await api.call({ method: 'GET', path: `${BASE}/customers/12345` });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      errorBody('VALIDATION_FAILED', /^The request is invalid\. id: must be a UUID/, {
        fields: [{ field: 'id', message: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' }],
      }),
    );
  });

  it('400 for unknown and invalid query parameters', async () => {
    const unknown = await api.call({ method: 'GET', path: `${BASE}/customers?colour=red` });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual({ fields: [{ field: 'colour', message: 'unknown field "colour"' }] });

    const invalid = await api.call({ method: 'GET', path: `${BASE}/customers?limit=101&status=vip&limit=3` });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.fields).toEqual([
      { field: 'status', message: 'must be one of lead, prospect, customer, churned' },
      { field: 'limit', message: 'give this parameter only once' },
    ]);
  });

  it('400 for a body on an endpoint that takes none, and a missing body where one is needed', async () => {
    const missing = await api.call({ method: 'PUT', path: `${BASE}/customers/${customerId}/tier` });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual({ fields: [{ field: 'body', message: 'a JSON body is required' }] });

    const reason = await api.call({ method: 'POST', path: `${BASE}/customers/${customerId}/qualify`, body: { reason: 'x' } });
    expect(reason.status).toBe(400);
    expect(reason.body.error.details).toEqual({ fields: [{ field: 'reason', message: 'only churn records a reason; send no body' }] });
  });

  it('404 for an unknown customer, and for a deleted one on every read', async () => {
    const unknownId = randomUUID();
    const unknown = await api.call({ method: 'GET', path: `${BASE}/customers/${unknownId}` });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(errorBody('CUSTOMER.NOT_FOUND', `No customer with id ${unknownId} exists (it may have been deleted).`));

    const { body } = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ email: 'gone@example.com' }) });
    const id = body.data.id;
    const deleted = await api.call({ method: 'DELETE', path: `${BASE}/customers/${id}` });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    for (const path of [`/customers/${id}`, `/customers/${id}/history`, '/customers/email/gone@example.com']) {
      expect((await api.call({ method: 'GET', path: `${BASE}${path}` })).status, path).toBe(404);
    }
    for (const [method, path] of [
      ['POST', 'qualify'],
      ['PUT', 'tier'],
      ['DELETE', ''],
    ] as const) {
      const response = await api.call({
        method,
        path: `${BASE}/customers/${id}${path && `/${path}`}`,
        body: path === 'tier' ? { tier: 'pro' } : undefined,
      });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    const listed = await api.call({ method: 'GET', path: `${BASE}/customers?q=gone%40example.com` });
    expect(listed.body.data).toEqual([]);
    // the email is free again once its customer is deleted
    const reused = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ email: 'GONE@example.com' }) });
    expect(reused.status).toBe(201);
  });

  it('404 ROUTE_NOT_FOUND for an unknown route and 405 with Allow for a wrong method', async () => {
    const route = await api.call({ method: 'GET', path: `${BASE}/widgets` });
    expect(route.status).toBe(404);
    expect(route.body).toEqual(
      errorBody('ROUTE_NOT_FOUND', `There is no endpoint at ${BASE}/widgets. The API lives under /api/v1/customer-mgmt.`),
    );

    const method = await api.call({ method: 'PATCH', path: `${BASE}/customers/${customerId}` });
    expect(method.status).toBe(405);
    expect(method.headers.allow).toBe('GET, PUT, DELETE');
    expect(method.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('409 EMAIL_TAKEN names the existing customer, whatever the case of the email', async () => {
    for (const request of [
      { method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ email: 'TAKEN@Example.com' }) },
      {
        method: 'PUT',
        path: `${BASE}/customers/${(await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id}`,
        body: { email: 'taken@EXAMPLE.com' },
      },
    ]) {
      const response = await api.call(request);
      expect(response.status).toBe(409);
      expect(response.body).toEqual(
        errorBody(
          'CUSTOMER.EMAIL_TAKEN',
          'Another customer already uses the email taken@example.com. Use that customer or choose another email.',
          {
            field: 'email',
            existing_customer_id: customerId,
          },
        ),
      );
    }
  });

  it('409 INVALID_TRANSITION says where the customer is and what is allowed', async () => {
    const response = await api.call({ method: 'POST', path: `${BASE}/customers/${customerId}/convert` });
    expect(response.status).toBe(409);
    expect(response.body).toEqual(
      errorBody(
        'CUSTOMER.INVALID_TRANSITION',
        "Cannot convert a customer whose status is 'lead': convert is only allowed from 'prospect'. From 'lead' you can: qualify.",
        { current_status: 'lead', required_status: 'prospect', allowed_commands: ['qualify'] },
      ),
    );
  });

  it('409 ACCOUNT_TYPE_CONFLICT when linking a user to a company contact', async () => {
    const companyId = await aCompany(database.db);
    const { body } = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ company_id: companyId }) });
    const id = body.data.id;
    const conflict = await api.call({ method: 'PUT', path: `${BASE}/customers/${id}`, body: { user_id: randomUUID() } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('CUSTOMER.ACCOUNT_TYPE_CONFLICT');
    const fixed = await api.call({ method: 'PUT', path: `${BASE}/customers/${id}`, body: { user_id: randomUUID(), company_id: null } });
    expect(fixed.status).toBe(200);
    expect(fixed.body.data.company_id).toBeNull();
  });

  it('413 for a body over 64 KiB', async () => {
    const response = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ name: 'x'.repeat(70_000) }) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('no failed request leaves anything behind', async () => {
    const before = await database.db
      .selectFrom('customer_mgmt_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ email: 'taken@example.com' }) });
    await api.call({ method: 'POST', path: `${BASE}/customers/${customerId}/convert` });
    await api.call({ method: 'PUT', path: `${BASE}/customers/${customerId}/tags`, body: { tags: ['ok', 'NOT OK!'] } });
    const after = await database.db
      .selectFrom('customer_mgmt_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const customer = await api.call({ method: 'GET', path: `${BASE}/customers/${customerId}` });
    expect(customer.body.data).toMatchObject({ status: 'lead', tags: [], version: 1 });
  });
});
