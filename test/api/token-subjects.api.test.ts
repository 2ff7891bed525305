import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, OWNER_SCOPED_ROLES } from '../../functions/auth/permissions.js';
import { fullPath } from '../../functions/http/route.js';
import { routes } from '../../functions/routes.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

/** Subjects identity providers other than Identity issue: Auth0, Google, an email, an LDAP DN, a number. */
const FOREIGN_SUBJECTS = ['auth0|123', 'google-oauth2|105938475830', 'jane@example.com', 'CN=Jane,O=Acme', '12345', `x${'y'.repeat(254)}`];
/** Subjects that cannot stand for anyone: they are stored as the actor of every event. */
const UNUSABLE_SUBJECTS = ['', 'a\u0000b', 'a\ud800', '\u001b[31mroot', '\u200b', 'x'.repeat(256), 'anonymous'];

/**
 * Generated from the route table: a token subject that is not a UUID works for every role that
 * sees all customers (it is an opaque actor id), is refused with a clear 403 for owner-scoped
 * roles (their subject is compared with uuid columns), and never answers 500.
 */
describe.each(availableDialects())('token subjects that are not UUIDs on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let customer: { id: string; email: string };
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    customer = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
  });
  afterAll(() => database.close());

  const requestFor = (route: (typeof routes)[number]) => ({
    method: route.method,
    path: fullPath(route).replace('{id}', customer.id).replace('{email}', encodeURIComponent(customer.email)),
    body: route.method === 'POST' && route.path === '/customers' ? newCustomerBody() : route.body?.required ? {} : undefined,
  });

  it('owner-scoped roles: every route they are granted answers 403 saying the subject must be the Identity user id', async () => {
    for (const role of OWNER_SCOPED_ROLES) {
      for (const route of routes.filter((candidate) => !candidate.public && candidate.permission!.roles.includes(role))) {
        for (const sub of FOREIGN_SUBJECTS) {
          const response = await api.call({ ...requestFor(route), claims: claimsFor([role], sub) });
          expect(response.status, `${role} ${sub} ${route.method} ${route.path}`).toBe(403);
          expect(response.body.error).toMatchObject({
            code: 'FORBIDDEN',
            message: expect.stringContaining('Sales reps must be Identity users: the token subject must be the Identity user id (a UUID)'),
            details: { reason: 'subject_not_uuid' },
          });
        }
      }
    }
  }, 120_000);

  it('every other role: the subject is an opaque actor id, no route answers 401, 403 or 500', async () => {
    for (const role of ROLES.filter((candidate) => !OWNER_SCOPED_ROLES.includes(candidate))) {
      for (const route of routes.filter((candidate) => !candidate.public && candidate.permission!.roles.includes(role))) {
        if (route.method === 'DELETE') continue;
        for (const sub of FOREIGN_SUBJECTS) {
          const response = await api.call({ ...requestFor(route), claims: claimsFor([role], sub) });
          expect([401, 403, 500], `${role} ${sub} ${route.method} ${route.path}`).not.toContain(response.status);
        }
      }
    }
  }, 120_000);

  it('records a foreign subject as the actor, and keys idempotency by it', async () => {
    const sub = 'auth0|5f7c8ec7c33c6c004bbafe82';
    const key = randomUUID();
    const body = newCustomerBody();
    const first = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body,
      headers: { 'idempotency-key': key },
      claims: claimsFor(['manager'], sub),
    });
    const retry = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body,
      headers: { 'idempotency-key': key },
      claims: claimsFor(['manager'], sub),
    });
    expect(first.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const history = await api.call({
      method: 'GET',
      path: `${BASE}/customers/${first.body.data.id}/history`,
      claims: claimsFor(['viewer'], sub),
    });
    expect(history.body.data.map((event: { actor: string }) => event.actor)).toEqual([sub]);
  });

  it('a subject that cannot stand for anyone is 401 on every route', async () => {
    for (const route of routes.filter((candidate) => !candidate.public)) {
      for (const sub of UNUSABLE_SUBJECTS) {
        const response = await api.call({ ...requestFor(route), claims: claimsFor(['admin'], sub) });
        expect(response.status, `${JSON.stringify(sub).slice(0, 30)} ${route.method} ${route.path}`).toBe(401);
      }
    }
  }, 120_000);

  it('a sales rep whose subject is an upper-case UUID is the same rep', async () => {
    const rep = randomUUID();
    await api.registerSalesRep(rep);
    const created = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: newCustomerBody(),
      claims: claimsFor(['sales_rep'], rep.toUpperCase()),
    });
    expect(created.status).toBe(201);
    expect(created.body.data.assigned_to).toBe(rep);
    const read = await api.call({
      method: 'GET',
      path: `${BASE}/customers/${created.body.data.id}`,
      claims: claimsFor(['sales_rep'], rep),
    });
    expect(read.status).toBe(200);
  });
});
