import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE } from '../../functions/event-catalogue.js';
import { BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

/** A customer's external_id: another system's id for the person, trimmed, unique among live customers, case counting. */
describe.each(availableDialects())('customer external_id on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const REP = randomUUID();
  const OTHER_REP = randomUUID();
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-04-01T09:00:00.000Z'));
    await api.registerSalesRep(REP);
    await api.registerSalesRep(OTHER_REP);
  });
  afterAll(() => database.close());

  const tag = () => randomUUID().slice(0, 8);
  const call = (method: string, path: string, body?: unknown, claims?: Record<string, string>) =>
    api.call({ method, path: `${BASE}${path}`, body, ...(claims && { claims }) });
  const history = async (id: string) => (await call('GET', `/customers/${id}/history?limit=100`)).body.data;

  it('is accepted on create (trimmed), answered on every read, changed and cleared by PUT, each change in CustomerUpdated', async () => {
    const t = tag();
    const created = await call('POST', '/customers', { name: 'Ada', email: `ada.${t}@example.com`, external_id: `  Shop-${t} ` });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect(created.body.data.external_id).toBe(`Shop-${t}`);
    expect((await call('GET', `/customers/${id}`)).body.data.external_id).toBe(`Shop-${t}`);
    expect((await call('GET', `/customers/email/ada.${t}@example.com`)).body.data.external_id).toBe(`Shop-${t}`);

    const changed = await call('PUT', `/customers/${id}`, { external_id: `shop-${t}` });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ external_id: `shop-${t}`, version: 2 });
    const cleared = await call('PUT', `/customers/${id}`, { external_id: null });
    expect(cleared.body.data).toMatchObject({ external_id: null, version: 3 });
    // The same value again changes nothing: no new version, no event.
    expect((await call('PUT', `/customers/${id}`, { external_id: null })).body.data.version).toBe(3);

    const events = await history(id);
    expect(events.map((event: { event_type: string }) => event.event_type)).toEqual([
      'CustomerCreated',
      'CustomerUpdated',
      'CustomerUpdated',
    ]);
    expect(events[0].data.customer.external_id).toBe(`Shop-${t}`);
    expect(events[1].data.changes).toEqual({ external_id: { from: `Shop-${t}`, to: `shop-${t}` } });
    expect(events[2].data.changes).toEqual({ external_id: { from: `shop-${t}`, to: null } });
    for (const event of events) {
      const parsed = EVENT_CATALOGUE.contractFor(event.event_type, event.event_version)!.safeParse(event);
      expect([event.event_type, parsed.success]).toEqual([event.event_type, true]);
    }
  });

  it('CustomerCreated of a customer without external_id carries no external_id (the v1 bytes stay the same)', async () => {
    const created = await call('POST', '/customers', { name: 'Plain', email: `plain.${tag()}@example.com` });
    expect(created.body.data.external_id).toBeNull();
    const [event] = await history(created.body.data.id);
    expect(Object.keys(event.data.customer)).not.toContain('external_id');
  });

  it('a taken external_id is 409 CUSTOMER.EXTERNAL_ID_TAKEN naming the holder (case counts; a deleted holder frees it)', async () => {
    const t = tag();
    const holder = (await call('POST', '/customers', { name: 'Holder', email: `holder.${t}@example.com`, external_id: `crm-${t}` })).body
      .data;
    const clash = await call('POST', '/customers', { name: 'Clash', email: `clash.${t}@example.com`, external_id: ` crm-${t}` });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({
      code: 'CUSTOMER.EXTERNAL_ID_TAKEN',
      message: `Another customer already has external_id crm-${t}. Update that customer, clear its external_id, or choose another one.`,
      details: { field: 'external_id', existing_customer_id: holder.id },
    });
    // The failed create left nothing behind.
    expect((await call('GET', `/customers/email/clash.${t}@example.com`)).status).toBe(404);
    const other = (await call('POST', '/customers', { name: 'Other', email: `other.${t}@example.com`, external_id: `CRM-${t}` })).body.data;
    expect(other.external_id).toBe(`CRM-${t}`);
    const moved = await call('PUT', `/customers/${other.id}`, { external_id: `crm-${t}` });
    expect(moved.status).toBe(409);
    expect(moved.body.error.code).toBe('CUSTOMER.EXTERNAL_ID_TAKEN');
    expect((await call('GET', `/customers/${other.id}`)).body.data).toMatchObject({ external_id: `CRM-${t}`, version: 1 });
    expect((await call('DELETE', `/customers/${holder.id}`)).status).toBe(204);
    expect((await call('PUT', `/customers/${other.id}`, { external_id: `crm-${t}` })).status).toBe(200);
  });

  it('a sales rep meeting another rep’s external_id hears it is taken, never whose it is', async () => {
    const t = tag();
    await call(
      'POST',
      '/customers',
      { name: 'Theirs', email: `theirs.${t}@example.com`, external_id: `rep-${t}` },
      claimsFor(['sales_rep'], OTHER_REP),
    );
    const mine = await call(
      'POST',
      '/customers',
      { name: 'Mine', email: `mine.${t}@example.com`, external_id: `rep-${t}` },
      claimsFor(['sales_rep'], REP),
    );
    expect(mine.status).toBe(409);
    expect(mine.body.error).toMatchObject({ code: 'CUSTOMER.EXTERNAL_ID_TAKEN', details: { field: 'external_id' } });
    expect(mine.body.error.details.existing_customer_id).toBeUndefined();
  });

  it('refuses a blank, too long or unclean external_id with VALIDATION_FAILED naming the field', async () => {
    const t = tag();
    for (const externalId of ['   ', 'x'.repeat(201), 'bad\u0000id']) {
      const answer = await call('POST', '/customers', { name: 'Bad', email: `bad.${t}@example.com`, external_id: externalId });
      expect([answer.status, answer.body.error.code, answer.body.error.details.fields[0].field]).toEqual([
        400,
        'VALIDATION_FAILED',
        'external_id',
      ]);
    }
    expect((await call('POST', '/customers', { name: 'Long', email: `long.${t}@example.com`, external_id: 'é'.repeat(200) })).status).toBe(
      201,
    );
  });

  it('lists by external_id (exact after trimming) and searches it as a string property', async () => {
    const t = tag();
    const a = (await call('POST', '/customers', { name: 'A', email: `a.${t}@example.com`, external_id: `list-${t}` })).body.data;
    await call('POST', '/customers', { name: 'B', email: `b.${t}@example.com`, external_id: `LIST-${t}` });
    const listed = await call('GET', `/customers?external_id=${encodeURIComponent(` list-${t} `)}`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((customer: { id: string }) => customer.id)).toEqual([a.id]);
    const found = await call('POST', '/customers/search', {
      filter_groups: [{ filters: [{ property: 'external_id', operator: 'eq', value: `list-${t}` }] }],
    });
    expect(found.body.data.map((customer: { id: string }) => customer.id)).toEqual([a.id]);
    const prefixed = await call('POST', '/customers/search', {
      filter_groups: [
        {
          filters: [
            { property: 'external_id', operator: 'starts_with', value: 'LIST-' },
            { property: 'email', operator: 'contains_token', value: t },
          ],
        },
      ],
      properties: ['external_id'],
    });
    // starts_with is case-insensitive (docs/search.md), eq is exact.
    expect(prefixed.body.data.map((customer: { external_id: string }) => customer.external_id).sort()).toEqual([`LIST-${t}`, `list-${t}`]);
    expect(Object.keys(prefixed.body.data[0]).sort()).toEqual(['external_id', 'id']);
  });
});
