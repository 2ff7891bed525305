import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

describe.each(availableDialects())('write safety on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
  });
  afterAll(() => database.close());

  const create = async () => (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;

  describe('optimistic concurrency', () => {
    it('honours If-Match on every kind of write: a stale version is 412 with the current one, a fresh one applies', async () => {
      const customer = await create();
      await api.call({ method: 'PUT', path: `${BASE}/customers/${customer.id}/tier`, body: { tier: 'pro' } });
      const writes = [
        { method: 'PUT', path: `/customers/${customer.id}`, body: { name: 'Renamed' } },
        { method: 'POST', path: `/customers/${customer.id}/qualify` },
        { method: 'PUT', path: `/customers/${customer.id}/tags`, body: { tags: ['x'] } },
        { method: 'DELETE', path: `/customers/${customer.id}` },
      ];
      let version = 2;
      for (const write of writes) {
        const stale = await api.call({ ...write, path: `${BASE}${write.path}`, headers: { 'if-match': '"1"' } });
        expect(stale.status, `${write.method} ${write.path}`).toBe(412);
        expect(stale.body.error).toMatchObject({ code: 'CUSTOMER.VERSION_MISMATCH', details: { current_version: version } });
        const fresh = await api.call({ ...write, path: `${BASE}${write.path}`, headers: { 'if-match': `"${version}"` } });
        expect(fresh.status, `${write.method} ${write.path}`).toBe(write.method === 'DELETE' ? 204 : 200);
        version++;
      }
    });

    it('compares If-Match strongly: a weak tag never matches (412); unquoted tags and * are accepted; a malformed one is 400', async () => {
      const customer = await create();
      const weak = await api.call({
        method: 'PUT',
        path: `${BASE}/customers/${customer.id}`,
        body: { name: 'Via a weak tag' },
        headers: { 'if-match': 'W/"1"' },
      });
      expect(weak.status).toBe(412);
      expect(weak.body.error.code).toBe('CUSTOMER.VERSION_MISMATCH');
      for (const ifMatch of ['1', '*']) {
        const response = await api.call({
          method: 'PUT',
          path: `${BASE}/customers/${customer.id}`,
          body: { name: `Via ${ifMatch}` },
          headers: { 'if-match': ifMatch },
        });
        expect(response.status).toBe(200);
      }
      const bad = await api.call({
        method: 'PUT',
        path: `${BASE}/customers/${customer.id}`,
        body: { name: 'x' },
        headers: { 'if-match': '"a", "b"' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.fields[0].field).toBe('If-Match');
    });

    it('answers a GET with If-None-Match naming the current version with 304 and no body', async () => {
      const customer = await create();
      const fresh = await api.call({ method: 'GET', path: `${BASE}/customers/${customer.id}`, headers: { 'if-none-match': '"1"' } });
      expect(fresh.status).toBe(304);
      expect(fresh.body).toBeUndefined();
      expect(fresh.headers.etag).toBe('"1"');
      await api.call({ method: 'POST', path: `${BASE}/customers/${customer.id}/qualify` });
      const changed = await api.call({ method: 'GET', path: `${BASE}/customers/${customer.id}`, headers: { 'if-none-match': '"1"' } });
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).toBe('"2"');
    });
  });

  describe('the ETag names the representation', () => {
    const consume = () => createEventConsumer(database.db);
    const order = (customerId: string, type: string, orderId: string, totalMinor = 1000) => ({
      id: randomUUID(),
      source: 'order-management',
      'detail-type': type,
      detail: { order_id: orderId, customer_id: customerId, total_minor: totalMinor, currency: 'EUR', placed_at: '2026-02-01T12:00:00Z' },
    });

    it('changes when an order changes the purchase summary, so If-None-Match never answers 304 with stale data and If-Match fails', async () => {
      const customer = await create();
      const read = await api.call({ method: 'GET', path: `${BASE}/customers/${customer.id}` });
      const etag = read.headers.etag!;
      await consume()(order(customer.id, 'OrderPlaced', randomUUID()));
      const again = await api.call({ method: 'GET', path: `${BASE}/customers/${customer.id}`, headers: { 'if-none-match': etag } });
      expect(again.status).toBe(200);
      expect(again.body.data.purchase_summary.orders_count).toBe(1);
      expect(again.body.data.version).toBe(1);
      expect(again.headers.etag).not.toBe(etag);
      const stale = await api.call({
        method: 'PUT',
        path: `${BASE}/customers/${customer.id}/tier`,
        body: { tier: 'pro' },
        headers: { 'if-match': etag },
      });
      expect(stale.status).toBe(412);
      expect(stale.body.error).toMatchObject({ code: 'CUSTOMER.VERSION_MISMATCH', details: { current_version: 1 } });
      const fresh = await api.call({
        method: 'PUT',
        path: `${BASE}/customers/${customer.id}/tier`,
        body: { tier: 'pro' },
        headers: { 'if-match': again.headers.etag! },
      });
      expect(fresh.status).toBe(200);
      const latest = await api.call({
        method: 'GET',
        path: `${BASE}/customers/${customer.id}`,
        headers: { 'if-none-match': fresh.headers.etag! },
      });
      expect(latest.status).toBe(304);
      expect(latest.headers.etag).toBe(fresh.headers.etag);
      expect((await api.call({ method: 'GET', path: `${BASE}/customers/${customer.id}/purchases` })).headers.etag).toBe(fresh.headers.etag);
    });

    it('two reads have the same ETag exactly when they show the same customer (random writes and orders)', async () => {
      const operation = fc.constantFrom('qualify', 'tier', 'same-tier', 'tags', 'place', 'complete', 'refund', 'replay-order', 'nothing');
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 8 }), async (operations) => {
          const customer = await create();
          const orders: string[] = [];
          const seen = new Map<string, string>();
          const observe = async () => {
            const read = await api.call({ method: 'GET', path: `${BASE}/customers/${customer.id}` });
            const body = JSON.stringify(read.body.data);
            for (const [otherBody, otherTag] of seen)
              expect(otherTag === read.headers.etag, `${body} vs ${otherBody}`).toBe(otherBody === body);
            seen.set(body, read.headers.etag!);
          };
          await observe();
          for (const [index, op] of operations.entries()) {
            const id = customer.id;
            if (op === 'qualify') await api.call({ method: 'POST', path: `${BASE}/customers/${id}/qualify` });
            if (op === 'tier')
              await api.call({ method: 'PUT', path: `${BASE}/customers/${id}/tier`, body: { tier: index % 2 ? 'pro' : 'basic' } });
            if (op === 'same-tier') await api.call({ method: 'PUT', path: `${BASE}/customers/${id}/tier`, body: { tier: 'free' } });
            if (op === 'tags') await api.call({ method: 'PUT', path: `${BASE}/customers/${id}/tags`, body: { tags: [`t${index}`] } });
            if (op === 'place') orders.push(randomUUID());
            if (op === 'place') await consume()(order(id, 'OrderPlaced', orders.at(-1)!, 100 + index));
            if (op === 'complete' && orders[0]) await consume()(order(id, 'OrderCompleted', orders[0]));
            if (op === 'refund' && orders[0]) await consume()(order(id, 'OrderRefunded', orders[0]));
            if (op === 'replay-order' && orders[0]) await consume()(order(id, 'OrderPlaced', orders[0]));
            await observe();
          }
        }),
        { numRuns: 12 },
      );
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for a retry with the same key and body', async () => {
      const key = randomUUID();
      const body = newCustomerBody();
      const first = await api.call({ method: 'POST', path: `${BASE}/customers`, body, headers: { 'idempotency-key': key } });
      const retry = await api.call({ method: 'POST', path: `${BASE}/customers`, body, headers: { 'idempotency-key': key } });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.location).toBe(first.headers.location);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      const stored = await database.db
        .selectFrom('customer_mgmt_customers')
        .select('id')
        .where('email', '=', body.email as string)
        .execute();
      expect(stored).toHaveLength(1);
    });

    it('replays transitions too, so a retried qualify is not a 409', async () => {
      const customer = await create();
      const key = randomUUID();
      const first = await api.call({
        method: 'POST',
        path: `${BASE}/customers/${customer.id}/qualify`,
        headers: { 'idempotency-key': key },
      });
      const retry = await api.call({
        method: 'POST',
        path: `${BASE}/customers/${customer.id}/qualify`,
        headers: { 'idempotency-key': key },
      });
      expect(first.status).toBe(200);
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
    });

    it('rejects the same key with a different body with 422, and keys are per caller', async () => {
      const key = randomUUID();
      await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody(), headers: { 'idempotency-key': key } });
      const reused = await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: newCustomerBody(),
        headers: { 'idempotency-key': key },
      });
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const otherCaller = await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: newCustomerBody(),
        headers: { 'idempotency-key': key },
        claims: claimsFor(['manager'], randomUUID()),
      });
      expect(otherCaller.status).toBe(201);
    });

    it('concurrent retries create exactly one customer; the others replay it or are told it is in progress', async () => {
      const key = randomUUID();
      const body = newCustomerBody();
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => api.call({ method: 'POST', path: `${BASE}/customers`, body, headers: { 'idempotency-key': key } })),
      );
      const created = responses.filter((response) => response.status === 201);
      const busy = responses.filter((response) => response.status === 409);
      expect(created.length + busy.length).toBe(8);
      expect(new Set(created.map((response) => response.body.data.id)).size).toBe(1);
      for (const response of busy) {
        expect(response.body.error.code).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');
        expect(response.headers['retry-after']).toBe('1');
      }
      const stored = await database.db
        .selectFrom('customer_mgmt_customers')
        .select('id')
        .where('email', '=', body.email as string)
        .execute();
      expect(stored).toHaveLength(1);
      const later = await api.call({ method: 'POST', path: `${BASE}/customers`, body, headers: { 'idempotency-key': key } });
      expect(later.body.data.id).toBe(stored[0]!.id);
    });

    it('does not store a request that failed validation, so a corrected retry may reuse the key', async () => {
      const key = randomUUID();
      const invalid = await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: { name: 'x' },
        headers: { 'idempotency-key': key },
      });
      expect(invalid.status).toBe(400);
      const stored = await database.db.selectFrom('customer_mgmt_idempotency_keys').select('key').where('key', '=', key).execute();
      expect(stored).toEqual([]);
    });

    it.each([
      ['a bad email', { email: 'not-an-email' }],
      ['a bad phone', { phone: '12345' }],
      ['a bad tag', { tags: ['no spaces allowed'] }],
      ['a blank name', { name: '   ' }],
      ['an unknown sales rep', { assigned_to: '019b6ec4-774c-70e0-9c2c-000000000000' }],
    ])('does not store a refusal (%s): the corrected retry with the same key is applied', async (_case, fault) => {
      const key = randomUUID();
      const body = newCustomerBody();
      const refused = await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: { ...body, ...fault },
        headers: { 'idempotency-key': key },
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
      const corrected = await api.call({ method: 'POST', path: `${BASE}/customers`, body, headers: { 'idempotency-key': key } });
      expect(corrected.status).toBe(201);
      expect(corrected.headers['idempotent-replayed']).toBeUndefined();
    });

    it('stores only successes: a refused change (409, 412, 422) runs afresh on retry, a success is replayed', async () => {
      const customer = await create();
      const rep = randomUUID();
      const key = randomUUID();
      const assign = (ifMatch?: string) =>
        api.call({
          method: 'PUT',
          path: `${BASE}/customers/${customer.id}/assign`,
          body: { assigned_to: rep },
          headers: { 'idempotency-key': key, ...(ifMatch && { 'if-match': ifMatch }) },
        });
      expect((await assign()).status).toBe(422);
      await api.registerSalesRep(rep);
      expect((await assign('"7"')).status).toBe(412);
      const applied = await assign();
      expect(applied.status).toBe(200);
      const replayed = await assign();
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body).toEqual(applied.body);

      const qualifyKey = randomUUID();
      const qualify = () =>
        api.call({ method: 'POST', path: `${BASE}/customers/${customer.id}/qualify`, headers: { 'idempotency-key': qualifyKey } });
      await api.call({ method: 'POST', path: `${BASE}/customers/${customer.id}/qualify` });
      await api.call({ method: 'POST', path: `${BASE}/customers/${customer.id}/convert` });
      expect((await qualify()).status).toBe(409);
      await api.call({ method: 'POST', path: `${BASE}/customers/${customer.id}/churn` });
      await api.call({ method: 'POST', path: `${BASE}/customers/${customer.id}/reactivate` });
      const stillRefused = await qualify();
      expect(stillRefused.status).toBe(409);
      expect(stillRefused.headers['idempotent-replayed']).toBeUndefined();
    });

    it('the same request written differently (key order, spacing) is the same request (property)', async () => {
      const fields = fc.record({
        phone: fc.constantFrom('+380123456789', null),
        source: fc.constantFrom('website', 'referral'),
        tier: fc.constantFrom('free', 'basic'),
      });
      await fc.assert(
        fc.asyncProperty(fields, fc.integer({ min: 0, max: 1000 }), fc.constantFrom(0, 2, '\t'), async (extra, seed, space) => {
          const body: Record<string, unknown> = { ...newCustomerBody({ tags: ['b', 'a'] }), ...extra };
          const shuffled = Object.fromEntries(
            Object.entries(body).sort(([a], [b]) => ((a.charCodeAt(0) * seed) % 7) - ((b.charCodeAt(0) * seed) % 7)),
          );
          const key = randomUUID();
          const first = await api.call({ method: 'POST', path: `${BASE}/customers`, body, headers: { 'idempotency-key': key } });
          const retry = await api.call({
            method: 'POST',
            path: `${BASE}/customers`,
            body: JSON.stringify(shuffled, null, space),
            headers: { 'idempotency-key': key, 'content-type': 'application/json' },
          });
          expect(first.status).toBe(201);
          expect(retry.status).toBe(201);
          expect(retry.headers['idempotent-replayed']).toBe('true');
          expect(retry.body.data.id).toBe(first.body.data.id);
        }),
        { numRuns: 15 },
      );
      // An array's order is part of the request.
      const key = randomUUID();
      const body = newCustomerBody({ tags: ['a', 'b'] });
      await api.call({ method: 'POST', path: `${BASE}/customers`, body, headers: { 'idempotency-key': key } });
      const reordered = await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: { ...body, tags: ['b', 'a'] },
        headers: { 'idempotency-key': key },
      });
      expect(reordered.status).toBe(422);
    });

    it('rejects a malformed key with 400', async () => {
      const response = await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: newCustomerBody(),
        headers: { 'idempotency-key': 'has spaces' },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.details.fields[0].field).toBe('Idempotency-Key');
    });
  });
});
