import fc from 'fast-check';
import { sql } from 'kysely';
import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullPath } from '../../functions/http/route.js';
import { routes } from '../../functions/routes.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, newCustomerBody, type ApiHarness, type ApiResult } from '../support/api-harness.js';
import { BAD_DATES, FORGED_CURSORS, UNCLEAN_TEXT } from '../support/hostile-values.js';
import { sample, stringSites, withValueAt, type StringSite } from '../support/schema-sites.js';

const HOSTILE_STRINGS = [
  "'; drop table customer_mgmt_customers; --",
  "' or '1'='1",
  '%',
  '_',
  '\\',
  '\u0000',
  '\u202e\u0041dmin',
  'аdmin@exаmple.com', // Cyrillic а
  '\ud83d\ude00'.repeat(60),
  '../../etc/passwd',
  '%2e%2e%2f',
  '__proto__',
  'constructor',
  'prototype',
  '9'.repeat(400),
  '1e309',
  '-0',
  'null',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
];

const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ maxLength: 300 }),
);
const hostileNumber = fc.oneof(fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308, -1e308, 0.5), fc.double());
const jsonLeaf = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    jsonLeaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        hostileString,
        fc.constantFrom('__proto__', 'constructor', 'name', 'email', 'tags', 'tier', 'status', 'assigned_to', 'reason'),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;
const deeplyNested = fc.integer({ min: 100, max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));

const body = fc.oneof(
  hostileJson.map((value) => JSON.stringify(value)),
  deeplyNested,
  hostileString,
  fc.constant('{"__proto__":{"polluted":true},"name":"x","email":"p@example.com"}'),
  fc.constant(undefined),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  '',
  'application/vnd.api+json',
);
const queryKey = fc.oneof(
  fc.constantFrom('status', 'tier', 'tag', 'tags_all', 'limit', 'cursor', 'q', 'sort', 'created_from', 'assigned_to', '__proto__'),
  hostileString,
);
const queryString = fc.array(fc.tuple(queryKey, hostileString), { maxLength: 5 }).map((pairs) => new URLSearchParams(pairs).toString());
const hostileHeaders = fc.record(
  {
    'if-match': fc.oneof(hostileString, fc.constantFrom('"1"', 'W/"2"', '*', '"99999999999"', '"-1"')),
    'if-none-match': fc.oneof(hostileString, fc.constantFrom('"1"', '*', '"1", "2"')),
    'idempotency-key': fc.oneof(hostileString, fc.uuid()),
    'x-forwarded-for': hostileString,
  },
  { requiredKeys: [] },
);
const pathSegment = fc.oneof(
  hostileString.map(encodeURIComponent),
  fc.uuid(),
  fc.constantFrom('email', 'history', 'qualify', '%', '%ZZ', '..'),
);

function assertWellFormed(response: ApiResult) {
  expect(response.status).toBeLessThan(500);
  if (response.status >= 400) {
    expect(response.body.status).toBe('error');
    expect(typeof response.body.error.code).toBe('string');
    expect(typeof response.body.error.message).toBe('string');
    expect(response.body.error.request_id).toBe(response.headers['x-request-id']);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe('hostile input never produces a 500 or touches other customers', () => {
  let database: TestDatabase;
  let api: ApiHarness;
  let bystander: { id: string; snapshot: unknown };
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    api = createApiHarness(database.db);
    const created = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ tags: ['bystander'] }) });
    bystander = { id: created.body.data.id, snapshot: created.body.data };
  });
  afterAll(async () => {
    const after = await api.call({ method: 'GET', path: `${BASE}/customers/${bystander.id}` });
    expect(after.body.data).toEqual(bystander.snapshot);
    await database.close();
  });

  it('on every route, with random bodies, headers, content types and query strings', async () => {
    const target = fc.record({
      route: fc.constantFrom(...routes),
      id: fc.oneof(fc.uuid(), pathSegment),
      body,
      contentType,
      query: queryString,
      headers: hostileHeaders,
    });
    await fc.assert(
      fc.asyncProperty(target, async ({ route, id, body, contentType, query, headers }) => {
        const path = fullPath(route).replace('{id}', id).replace('{email}', id);
        const response = await api.call({
          method: route.method,
          path: `${path}${query ? `?${query}` : ''}`,
          body,
          headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) },
        });
        assertWellFormed(response);
      }),
      { numRuns: 400 },
    );
  });

  it('on random paths and methods', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
    const path = fc.array(pathSegment, { maxLength: 5 }).map((segments) => `${BASE}/customers/${segments.join('/')}`);
    await fc.assert(
      fc.asyncProperty(method, path, async (method, path) => assertWellFormed(await api.call({ method, path }))),
      { numRuns: 300 },
    );
  });

  it('valid-shaped creates with hostile field values are either created intact or rejected with VALIDATION_FAILED', async () => {
    const fields = fc.record({
      name: hostileString,
      email: hostileString,
      phone: fc.option(hostileString),
      source: fc.option(hostileString, { nil: undefined }),
      tags: fc.array(hostileString, { maxLength: 60 }),
    });
    await fc.assert(
      fc.asyncProperty(fields, async (input) => {
        const response = await api.call({ method: 'POST', path: `${BASE}/customers`, body: input });
        assertWellFormed(response);
        expect([201, 400, 409]).toContain(response.status);
        if (response.status === 400) expect(response.body.error.code).toBe('VALIDATION_FAILED');
        if (response.status === 201) {
          const read = await api.call({ method: 'GET', path: `${BASE}/customers/${response.body.data.id}` });
          expect(read.body.data).toEqual(response.body.data);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Lone surrogates cannot travel in a URL: encoders refuse them and decoders turn them into U+FFFD. */
const travelsInUrl = (value: string) => !/[\ud800-\udfff]/.test(value);

/**
 * Generated from the route table: every string site of every route's body, query and path schema
 * (routes added later by other aggregates included) gets every unclean value, and its kind's
 * hostile values (impossible dates into timestamps, forged cursors into cursors). Each must be a
 * 400 VALIDATION_FAILED naming the field, and leave the database exactly as it was.
 */
// PGlite and the Data API path: the two ways text travels to the database (pg's wire protocol,
// JSON over HTTP); a PostgreSQL server receives it exactly as PGlite does and adds only time.
describe.each(availableDialects().filter((dialect) => dialect !== 'postgres'))(
  'hostile values in every field of every route (generated from the route table) on %s',
  (dialect) => {
    let database: TestDatabase;
    let api: ApiHarness;
    let bystander: { id: string; snapshot: unknown };
    /** The customer the requests name in their path: valid text injected elsewhere may change it, never the bystander. */
    let target: { id: string; email: string };
    beforeAll(async () => {
      database = await openTestDatabase(dialect);
      api = createApiHarness(database.db);
      const created = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ tags: ['bystander'] }) });
      bystander = { id: created.body.data.id, snapshot: created.body.data };
      const targeted = await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() });
      target = { id: targeted.body.data.id, email: targeted.body.data.email };
    });
    afterAll(async () => {
      const after = await api.call({ method: 'GET', path: `${BASE}/customers/${bystander.id}` });
      expect(after.body.data).toEqual(bystander.snapshot);
      await database.close();
    });

    /** Everything a request could have written, in one row. */
    const databaseState = async () =>
      (
        await sql<Record<string, string>>`select
        (select count(*) from customer_mgmt_customers) as customers,
        (select coalesce(sum(version), 0) from customer_mgmt_customers) as versions,
        (select count(*) from customer_mgmt_events) as events,
        (select count(*) from customer_mgmt_idempotency_keys) as idempotency_keys,
        (select count(*) from customer_mgmt_purchases) as purchases,
        (select count(*) from customer_mgmt_sales_reps) as sales_reps,
        (select count(*) from customer_mgmt_interactions) as interactions,
        (select coalesce(sum(version), 0) from customer_mgmt_interactions) as interaction_versions,
        (select count(*) from customer_mgmt_interaction_links) as interaction_links`.execute(database.db)
      ).rows[0];

    type Part = 'params' | 'query' | 'body';
    interface Injection {
      readonly route: (typeof routes)[number];
      readonly part: Part;
      readonly site: StringSite;
    }

    const injections: Injection[] = routes.flatMap((route) =>
      (['params', 'query', 'body'] as const).flatMap((part) => {
        const schema = part === 'body' ? route.body?.schema : route[part];
        return stringSites(schema).map((site) => ({ route, part, site }));
      }),
    );

    /** The request for `route` with `value` at the injection site and valid values elsewhere. */
    function requestFor({ route, part, site }: Injection, value: string) {
      const params: Record<string, string> = { ...(sample(route.params ?? z.object({})) as Record<string, string>), ...target };
      if (part === 'params') params[String(site.path[0])] = value;
      const path = fullPath(route).replace(/\{(\w+)\}/g, (_match, name: string) => encodeURIComponent(params[name] ?? ''));
      const query = part === 'query' ? `?${site.field}=${encodeURIComponent(value)}` : '';
      const baseBody = route.body ? sample(route.body.schema) : undefined;
      const body = part === 'body' ? withValueAt(baseBody, site.path, value) : baseBody;
      return { method: route.method, path: `${path}${query}`, body };
    }

    it('finds the sites of every part of every route', () => {
      const fields = injections.map(({ route, part, site }) => `${route.method} ${route.path} ${part}.${site.field}`);
      expect(fields).toEqual(
        expect.arrayContaining(['POST /customers body.name', 'POST /customers body.tags[0]', 'GET /customers query.cursor']),
      );
      expect(fields).toEqual(expect.arrayContaining(['GET /customers query.created_from', 'GET /customers/email/{email} params.email']));
      expect(injections.filter(({ site }) => site.kind === 'timestamp').length).toBeGreaterThanOrEqual(2);
      expect(injections.filter(({ site }) => site.kind === 'cursor').length).toBeGreaterThanOrEqual(1);
    });

    /** The request is refused with 400 naming the site (the database is compared once per site, by the callers). */
    async function expectRefused(injection: Injection, value: string, label: string) {
      const request = requestFor(injection, value);
      const response = await api.call(request);
      const where = `${label} in ${injection.part}.${injection.site.field} of ${injection.route.method} ${injection.route.path}`;
      expect(response.status, where).toBe(400);
      expect(response.body.error.code, where).toBe('VALIDATION_FAILED');
      expect(
        response.body.error.details.fields.map((issue: { field: string }) => issue.field),
        where,
      ).toContain(injection.site.field);
    }

    /** Runs `probe` for one injection site and checks that nothing it sent changed the database. */
    async function writesNothing(injection: Injection, probe: () => Promise<void>) {
      const before = await databaseState();
      await probe();
      const where = `${injection.part}.${injection.site.field} of ${injection.route.method} ${injection.route.path}`;
      expect(await databaseState(), where).toEqual(before);
    }

    it('refuses unclean text in every string field with 400 naming the field, writing nothing', async () => {
      for (const injection of injections) {
        await writesNothing(injection, async () => {
          for (const [label, value] of UNCLEAN_TEXT) {
            if (injection.part !== 'body' && !travelsInUrl(value)) continue;
            await expectRefused(injection, value, label);
          }
        });
      }
    }, 180_000);

    it('refuses impossible dates in every timestamp and forged cursors in every cursor; elsewhere they are plain text, never a 500', async () => {
      for (const injection of injections) {
        const probe = async () => {
          for (const [kind, values] of [
            ['timestamp', BAD_DATES],
            ['cursor', FORGED_CURSORS],
          ] as const) {
            for (const value of values) {
              if (injection.site.kind === kind) await expectRefused(injection, value, `${kind} ${value}`);
              else assertWellFormed(await api.call(requestFor(injection, value)));
            }
          }
        };
        // Where the value is plain text a request may rightly write (a name is a name); a refusal never does.
        if (injection.site.kind === 'timestamp' || injection.site.kind === 'cursor') await writesNothing(injection, probe);
        else await probe();
      }
    }, 180_000);
  },
);
