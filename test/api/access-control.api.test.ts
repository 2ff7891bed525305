import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Permission } from '../../functions/auth/permissions.js';
import { permissionTable } from '../../functions/auth/permission-table.js';
import { fullPath } from '../../functions/http/route.js';
import { routes } from '../../functions/routes.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';
import { createSampleRecords, samplePath } from '../support/sample-records.js';
import { objectShape, sample, samplePresent } from '../support/schema-sites.js';

const REP_A = randomUUID();
const REP_B = randomUUID();

describe('access control', () => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    api = createApiHarness(database.db);
    await api.registerSalesRep(REP_A);
    await api.registerSalesRep(REP_B);
  });
  afterAll(() => database.close());

  const as = (role: string, sub = randomUUID()) => claimsFor([role], sub);

  it('docs/access-control.md shows exactly the rights the route table enforces', () => {
    expect(readFileSync('docs/access-control.md', 'utf8')).toContain(permissionTable(routes));
  });

  it('walks every route for every role: allowed roles get past the check, others get 403, no token gets 401', async () => {
    for (const route of routes.filter((candidate) => !candidate.public)) {
      const { body } = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() });
      const path = fullPath(route).replace('{id}', body.data.id).replace('{email}', encodeURIComponent(body.data.email));
      const request = { method: route.method, path, body: route.body?.required ? {} : undefined };
      for (const role of ROLES) {
        const response = await api.call({ ...request, claims: as(role) });
        const allowed = route.permission!.roles.includes(role);
        if (allowed) expect([401, 403], `${role} ${route.method} ${route.path}`).not.toContain(response.status);
        else {
          expect(response.status, `${role} ${route.method} ${route.path}`).toBe(403);
          expect(response.body.error).toMatchObject({
            code: 'FORBIDDEN',
            details: { required_permission: route.permission!.name, roles: [role] },
          });
        }
      }
      const anonymous = await api.call({ ...request, claims: null });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="customer-mgmt"');
      const noRoles = await api.call({ ...request, claims: { sub: randomUUID() } });
      expect(noRoles.status).toBe(403);
    }
  });

  it('a body field that has a route of its own needs that route’s permission wherever it is sent (generated from the route table)', async () => {
    // A field "has its own route" when exactly one route's body is that one field (PUT …/tier: {tier}).
    // Fields are owned per resource (the first path segment): customers' tags and companies' tags differ.
    // A field that is the whole body of several routes with different permissions (`inputs` of the batch routes) belongs to none.
    const owners = new Map<string, Permission>();
    const shared = new Set<string>();
    const resourceOf = (path: string) => path.split('/')[1];
    for (const route of routes) {
      const fields = Object.keys(objectShape(route.body?.schema));
      if (fields.length !== 1) continue;
      const key = `${resourceOf(route.path)}:${fields[0]!}`;
      if (owners.has(key) && owners.get(key) !== route.permission) shared.add(key);
      owners.set(key, route.permission!);
    }
    for (const key of shared) owners.delete(key);
    expect([...shared].sort()).toEqual(['companies:inputs', 'customers:inputs', 'deals:inputs', 'interactions:inputs']);
    expect(owners.get('customers:tier')?.name).toBe('customers:tier');
    expect(owners.get('companies:owner_id')?.name).toBe('companies:assign');
    const records = await createSampleRecords(api);
    let checked = 0;
    for (const route of routes.filter((candidate) => candidate.body && !candidate.public)) {
      const shape = objectShape(route.body!.schema);
      for (const [field, schema] of Object.entries(shape)) {
        const owner = owners.get(`${resourceOf(route.path)}:${field}`);
        if (!owner || owner === route.permission) continue;
        expect(route.fieldPermissions?.[field], `${route.method} ${route.path} declares ${field}`).toBe(owner);
        for (const role of ROLES.filter((candidate) => route.permission!.roles.includes(candidate))) {
          const body = { ...(sample(route.body!.schema) as object), [field]: samplePresent(schema) };
          const path = samplePath(route, records);
          const response = await api.call({ method: route.method, path, body, claims: as(role, REP_A) });
          const where = `${role} sends ${field} to ${route.method} ${route.path}`;
          if (owner!.roles.includes(role)) {
            expect(response.body?.error?.details?.required_permission, where).not.toBe(owner.name);
          } else {
            expect(response.status, where).toBe(403);
            expect(response.body.error.details, where).toMatchObject({ field, required_permission: owner.name, roles: [role] });
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('service may not set tier or assignee on create, as it may not through PUT …/tier and …/assign', async () => {
    for (const [field, value] of [
      ['tier', 'enterprise'],
      ['assigned_to', REP_A],
    ] as const) {
      const response = await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: newCustomerBody({ [field]: value }),
        claims: as('service'),
      });
      expect(response.status, field).toBe(403);
    }
    const plain = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: newCustomerBody({ tags: ['from-orders'] }),
      claims: as('service'),
    });
    expect(plain.status).toBe(201);
    expect(plain.body.data).toMatchObject({ tier: 'free', assigned_to: null, tags: ['from-orders'] });
  });

  it('reads roles from cognito:groups too, and from real arrays', async () => {
    const viaGroups = await api.call({
      method: 'GET',
      path: `${BASE}/customers`,
      claims: { sub: randomUUID(), 'cognito:groups': '[viewer]' },
    });
    expect(viaGroups.status).toBe(200);
    const viaArray = await api.call({ method: 'GET', path: `${BASE}/customers`, claims: { sub: randomUUID(), roles: ['viewer'] } });
    expect(viaArray.status).toBe(200);
  });

  it('a role or group whose name merely contains a role name grants nothing', async () => {
    for (const claims of [
      { roles: '[viewer,admin]' },
      { roles: '[super admin]' },
      { 'cognito:groups': '[viewer,admin]' },
      { roles: ['super admin'] },
    ]) {
      const response = await api.call({ method: 'GET', path: `${BASE}/events`, claims: { sub: randomUUID(), ...claims } });
      expect(response.status, JSON.stringify(claims)).toBe(403);
      expect(response.body.error.details.roles, JSON.stringify(claims)).not.toContain('admin');
    }
  });

  describe('sales reps see and change only their own customers', () => {
    let own: string;
    let others: string;
    beforeAll(async () => {
      own = (
        await api.call({
          method: 'POST',
          path: `${BASE}/customers`,
          body: newCustomerBody({ tags: ['scoped'] }),
          claims: as('sales_rep', REP_A),
        })
      ).body.data.id;
      others = (
        await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ tags: ['scoped'], assigned_to: REP_B }) })
      ).body.data.id;
    });

    it('a rep’s new customer is assigned to them', async () => {
      const read = await api.call({ method: 'GET', path: `${BASE}/customers/${own}`, claims: as('sales_rep', REP_A) });
      expect(read.status).toBe(200);
      expect(read.body.data.assigned_to).toBe(REP_A);
    });

    it('another rep’s customer is 404 on every read and write, so its existence does not leak', async () => {
      const rep = as('sales_rep', REP_A);
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['GET', '/history', undefined],
        ['PUT', '', { name: 'Stolen' }],
        ['POST', '/qualify', undefined],
        ['PUT', '/tier', { tier: 'pro' }],
        ['PUT', '/tags', { tags: ['mine'] }],
      ] as const) {
        const response = await api.call({ method, path: `${BASE}/customers/${others}${suffix}`, body, claims: rep });
        expect(response.status, `${method} ${suffix}`).toBe(404);
        expect(response.body.error.code).toBe('CUSTOMER.NOT_FOUND');
      }
      const email = (await api.call({ method: 'GET', path: `${BASE}/customers/${others}` })).body.data.email;
      expect((await api.call({ method: 'GET', path: `${BASE}/customers/email/${email}`, claims: rep })).status).toBe(404);
      const untouched = await api.call({ method: 'GET', path: `${BASE}/customers/${others}` });
      expect(untouched.body.data).toMatchObject({ version: 1, status: 'lead' });
    });

    it('lists are filtered to the rep’s customers', async () => {
      const mine = await api.call({ method: 'GET', path: `${BASE}/customers?tag=scoped`, claims: as('sales_rep', REP_A) });
      expect(mine.body.data.map((customer: { id: string }) => customer.id)).toEqual([own]);
      const peeking = await api.call({ method: 'GET', path: `${BASE}/customers?assigned_to=${REP_B}`, claims: as('sales_rep', REP_A) });
      expect(peeking.body.data).toEqual([]);
      const manager = await api.call({ method: 'GET', path: `${BASE}/customers?tag=scoped`, claims: as('manager') });
      expect(manager.body.data).toHaveLength(2);
    });

    it('a unique clash names the other customer only to callers who may see it', async () => {
      const create = async (assigned_to: string) =>
        (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ assigned_to, user_id: randomUUID() }) })).body
          .data as { id: string; email: string; user_id: string };
      const theirs = await create(REP_B);
      const mine = await create(REP_A);
      const spare = await create(REP_A);
      const rep = as('sales_rep', REP_A);
      const cases = [
        ['create with their email', 'POST', '/customers', { ...newCustomerBody(), email: theirs.email }, theirs, rep],
        ['create with their user_id', 'POST', '/customers', { ...newCustomerBody(), user_id: theirs.user_id }, theirs, rep],
        ['update to their email', 'PUT', `/customers/${spare.id}`, { email: theirs.email }, theirs, rep],
        ['update to their user_id', 'PUT', `/customers/${spare.id}`, { user_id: theirs.user_id }, theirs, rep],
        ['create with my email', 'POST', '/customers', { ...newCustomerBody(), email: mine.email }, mine, rep],
        ['update to my user_id', 'PUT', `/customers/${spare.id}`, { user_id: mine.user_id }, mine, rep],
        ['a manager, their email', 'POST', '/customers', { ...newCustomerBody(), email: theirs.email }, theirs, as('manager')],
      ] as const;
      for (const [name, method, path, body, existing, claims] of cases) {
        const response = await api.call({ method, path: `${BASE}${path}`, body, claims });
        expect(response.status, name).toBe(409);
        const visible = existing === mine || claims !== rep;
        if (visible) expect(response.body.error.details.existing_customer_id, name).toBe(existing.id);
        else {
          expect(response.body.error.details, name).not.toHaveProperty('existing_customer_id');
          expect(JSON.stringify(response.body), name).not.toContain(existing.id);
        }
      }
    });

    it('a rep cannot assign to anyone but themselves', async () => {
      for (const assigned_to of [REP_B, null]) {
        const response = await api.call({
          method: 'PUT',
          path: `${BASE}/customers/${own}/assign`,
          body: { assigned_to },
          claims: as('sales_rep', REP_A),
        });
        expect(response.status).toBe(403);
        expect(response.body.error).toMatchObject({ code: 'FORBIDDEN', details: { field: 'assigned_to', allowed_value: REP_A } });
      }
      const create = await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: newCustomerBody({ assigned_to: REP_B }),
        claims: as('sales_rep', REP_A),
      });
      expect(create.status).toBe(403);
    });
  });

  it('every event records the actor, and the history shows who did what', async () => {
    const manager = randomUUID();
    const service = randomUUID();
    const { body } = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody(), claims: as('manager', manager) });
    await api.call({ method: 'POST', path: `${BASE}/customers/${body.data.id}/qualify`, claims: as('service', service) });
    const history = await api.call({ method: 'GET', path: `${BASE}/customers/${body.data.id}/history`, claims: as('viewer') });
    expect(history.body.data.map((event: { event_type: string; actor: string }) => [event.event_type, event.actor])).toEqual([
      ['CustomerCreated', manager],
      ['CustomerQualified', service],
    ]);
  });
});
