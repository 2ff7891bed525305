import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';

describe.each(availableDialects())('batch writes on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const REP = randomUUID();
  const OTHER_REP = randomUUID();
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'));
    await api.registerSalesRep(REP);
    await api.registerSalesRep(OTHER_REP);
  });
  afterAll(() => database.close());

  const tag = () => randomUUID().slice(0, 8);
  const batch = (
    object: string,
    operation: string,
    body: unknown,
    options: { query?: string; headers?: Record<string, string>; claims?: Record<string, string> } = {},
  ) =>
    api.call({
      method: 'POST',
      path: `${BASE}/${object}/batch/${operation}${options.query ? `?${options.query}` : ''}`,
      body,
      ...(options.headers && { headers: options.headers }),
      ...(options.claims && { claims: options.claims }),
    });
  const createCustomer = async (email: string, claims?: Record<string, string>) =>
    (await api.call({ method: 'POST', path: `${BASE}/customers`, body: { name: 'Existing', email }, ...(claims && { claims }) })).body.data;
  const eventsOf = async (type: string, id: string) =>
    (
      (await api.call({ method: 'GET', path: `${BASE}/events?aggregate_type=${type}&aggregate_id=${id}&limit=100` })).body.data as {
        event_type: string;
        data: Record<string, unknown>;
      }[]
    ).map((event) => ({ type: event.event_type, data: event.data }));
  const countRows = async (table: string, where: ReturnType<typeof sql>) =>
    Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(database.db)).rows[0]!.n);
  const withoutRecords = (body: any) => body.data.results.map(({ record: _record, ...rest }: any) => rest);

  it('creates with per-input results in input order: 207 when one fails, with exact statuses, ids, versions and counts', async () => {
    const t = tag();
    const taken = await createCustomer(`taken.${t}@example.com`);
    const answer = await batch('customers', 'create', {
      inputs: [
        { name: 'Ada', email: `ada.${t}@example.com`, tags: ['VIP'] },
        { name: 'Taken', email: `TAKEN.${t}@example.com` },
        { name: 'Bad', email: 'not-an-email' },
        { name: 'Grace', email: `grace.${t}@example.com` },
      ],
    });
    expect(answer.status).toBe(207);
    const [ada, takenResult, bad, grace] = answer.body.data.results;
    expect(ada).toMatchObject({
      index: 0,
      status: 'created',
      version: 1,
      record: { email: `ada.${t}@example.com`, tags: ['vip'], status: 'lead' },
    });
    expect(takenResult).toEqual({
      index: 1,
      status: 'error',
      id: null,
      version: null,
      error: {
        code: 'CUSTOMER.EMAIL_TAKEN',
        message: `Another customer already uses the email taken.${t}@example.com. Use that customer or choose another email.`,
        details: { field: 'email', existing_customer_id: taken.id },
      },
    });
    expect(bad).toMatchObject({ index: 2, status: 'error', id: null, version: null, error: { code: 'VALIDATION_FAILED' } });
    expect(grace).toMatchObject({ index: 3, status: 'created', version: 1 });
    expect(answer.body.data.counts).toEqual({ total: 4, created: 2, updated: 0, unchanged: 0, archived: 0, found: 0, error: 2 });
    // Each created customer is readable and has exactly the event its single route would write.
    const events = await eventsOf('customer', ada.id);
    expect(events.map((event) => event.type)).toEqual(['CustomerCreated']);
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${grace.id}` })).body.data.name).toBe('Grace');
  });

  it('answers 200 when every input succeeded', async () => {
    const t = tag();
    const answer = await batch('customers', 'create', { inputs: [{ name: 'One', email: `one.${t}@example.com` }] });
    expect(answer.status).toBe(200);
    expect(answer.body.data.counts).toMatchObject({ total: 1, created: 1, error: 0 });
  });

  it('all_or_none: one failed input fails the batch whole (422 BATCH.FAILED), nothing applied and no event', async () => {
    const t = tag();
    const existing = await createCustomer(`keep.${t}@example.com`);
    const eventsBefore = await countRows('customer_mgmt_events', sql`true`);
    const answer = await batch(
      'customers',
      'upsert',
      {
        match_on: 'email',
        inputs: [
          { name: 'Renamed', email: `keep.${t}@example.com` },
          { name: 'New', email: `new.${t}@example.com` },
          { name: 'Broken', email: `broken.${t}@example.com`, company_id: randomUUID() },
        ],
      },
      { query: 'all_or_none=true' },
    );
    expect(answer.status, api.logged.join('\n')).toBe(422);
    expect(answer.body.error.code).toBe('BATCH.FAILED');
    expect(answer.body.error.details.errors).toEqual([expect.objectContaining({ index: 2, code: 'CUSTOMER.UNKNOWN_COMPANY' })]);
    // Inputs run in the order of their records (here by email), and a failed statement ends the transaction: the rest are not tried.
    expect(answer.body.error.details.not_run).toEqual([0, 1]);
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${existing.id}` })).body.data).toMatchObject({
      name: 'Existing',
      version: 1,
    });
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/email/new.${t}@example.com` })).status).toBe(404);
    expect(await countRows('customer_mgmt_events', sql`true`)).toBe(eventsBefore);
    // The same batch without the broken input commits whole.
    const fixed = await batch(
      'customers',
      'upsert',
      {
        match_on: 'email',
        inputs: [
          { name: 'Renamed', email: `keep.${t}@example.com` },
          { name: 'New', email: `new.${t}@example.com` },
        ],
      },
      { query: 'all_or_none=true' },
    );
    expect(fixed.status).toBe(200);
    expect(withoutRecords(fixed.body)).toEqual([
      { index: 0, status: 'updated', id: existing.id, version: 2 },
      { index: 1, status: 'created', id: expect.any(String), version: 1 },
    ]);
  });

  it('two inputs aimed at one record are both BATCH.DUPLICATE_TARGET (keys normalised like the unique index); the rest runs', async () => {
    const t = tag();
    const target = await createCustomer(`dup.${t}@example.com`);
    const updated = await batch('customers', 'update', {
      inputs: [
        { id: target.id, name: 'First' },
        { id: target.id.toUpperCase(), name: 'Second' },
      ],
    });
    expect(updated.status).toBe(207);
    expect(updated.body.data.results.map((result: any) => result.error?.code)).toEqual([
      'BATCH.DUPLICATE_TARGET',
      'BATCH.DUPLICATE_TARGET',
    ]);
    expect(updated.body.data.results[0].error.details).toEqual({ target: `id:${target.id}`, indexes: [0, 1] });
    const upserted = await batch('customers', 'upsert', {
      match_on: 'email',
      inputs: [
        { name: 'A', email: ` Mixed.${t}@Example.com` },
        { name: 'B', email: `other.${t}@example.com` },
        { name: 'C', email: `mixed.${t}@example.com` },
      ],
    });
    expect(upserted.body.data.results.map((result: any) => result.status)).toEqual(['error', 'created', 'error']);
    expect(upserted.body.data.results[2].error.code).toBe('BATCH.DUPLICATE_TARGET');
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${target.id}` })).body.data.version).toBe(1);
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/email/mixed.${t}@example.com` })).status).toBe(404);
  });

  it('upserts customers by email (case and spaces ignored) and by id; an unknown id is NOT_FOUND, never created', async () => {
    const t = tag();
    const existing = await createCustomer(`up.${t}@example.com`);
    const byEmail = await batch('customers', 'upsert', {
      inputs: [
        { name: 'Updated', email: `  UP.${t}@example.COM` },
        { name: 'Existing', email: `fresh.${t}@example.com`, phone: '+442079460958' },
      ],
    });
    expect(byEmail.status).toBe(200);
    expect(withoutRecords(byEmail.body)).toEqual([
      { index: 0, status: 'updated', id: existing.id, version: 2 },
      { index: 1, status: 'created', id: expect.any(String), version: 1 },
    ]);
    const missing = randomUUID();
    const byId = await batch('customers', 'upsert', {
      match_on: 'id',
      inputs: [
        { id: existing.id, name: 'Updated', email: `up.${t}@example.com` },
        { id: missing, name: 'Ghost', email: `ghost.${t}@example.com` },
      ],
    });
    expect(withoutRecords(byId.body)).toEqual([
      { index: 0, status: 'unchanged', id: existing.id, version: 2 },
      {
        index: 1,
        status: 'error',
        id: null,
        version: null,
        error: { code: 'CUSTOMER.NOT_FOUND', message: `No customer with id ${missing} exists (it may have been deleted).` },
      },
    ]);
    const keyless = await batch('customers', 'upsert', { match_on: 'id', inputs: [{ name: 'No id', email: `noid.${t}@example.com` }] });
    expect(keyless.body.data.results[0].error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'inputs[0].id', message: 'is required to match on id' }] },
    });
    // One CustomerUpdated for the one change; the unchanged input wrote nothing.
    expect((await eventsOf('customer', existing.id)).map((event) => event.type)).toEqual(['CustomerCreated', 'CustomerUpdated']);
  });

  it('upserts companies by domain (a URL matches its domain), external_id (trimmed) and id', async () => {
    const t = tag();
    const acme = (
      await api.call({
        method: 'POST',
        path: `${BASE}/companies`,
        body: { name: 'Acme', domain: `acme-${t}.example`, external_id: `crm-${t}` },
      })
    ).body.data;
    const byDomain = await batch('companies', 'upsert', {
      match_on: 'domain',
      inputs: [
        { name: 'Acme Ltd', domain: `https://www.ACME-${t}.example/about` },
        { name: 'Globex', domain: `globex-${t}.example` },
      ],
    });
    expect(byDomain.status).toBe(200);
    expect(withoutRecords(byDomain.body)).toEqual([
      { index: 0, status: 'updated', id: acme.id, version: 2 },
      { index: 1, status: 'created', id: expect.any(String), version: 1 },
    ]);
    const byExternal = await batch('companies', 'upsert', {
      match_on: 'external_id',
      inputs: [
        { name: 'Acme Group', external_id: ` crm-${t} ` },
        { name: 'Initech', external_id: `crm-new-${t}` },
      ],
    });
    expect(withoutRecords(byExternal.body)).toEqual([
      { index: 0, status: 'updated', id: acme.id, version: 3 },
      { index: 1, status: 'created', id: expect.any(String), version: 1 },
    ]);
    expect(byExternal.body.data.results[1].record.external_id).toBe(`crm-new-${t}`);
    const byId = await batch('companies', 'upsert', {
      match_on: 'id',
      inputs: [{ id: acme.id, name: 'Acme Group', industry: 'software' }],
    });
    expect(withoutRecords(byId.body)).toEqual([{ index: 0, status: 'updated', id: acme.id, version: 4 }]);
    expect((await eventsOf('company', acme.id)).map((event) => event.type)).toEqual([
      'CompanyCreated',
      'CompanyUpdated',
      'CompanyUpdated',
      'CompanyUpdated',
    ]);
  });

  it('deals: upsert by external_id (trimmed) and id, update with if_match, read and archive, each with its single route’s event', async () => {
    const t = tag();
    const customer = await createCustomer(`deal.${t}@example.com`);
    const created = await batch('deals', 'create', {
      inputs: [
        { name: 'Fleet', primary_customer_id: customer.id, amount: { amount_minor: 120_000 }, external_id: `erp-${t}` },
        { name: 'Orphan', primary_customer_id: randomUUID() },
      ],
    });
    expect(created.status).toBe(207);
    const [fleet, orphan] = created.body.data.results;
    expect(fleet).toMatchObject({
      index: 0,
      status: 'created',
      version: 1,
      record: { stage: 'qualification', amount: { amount_minor: 120_000, currency: 'EUR' } },
    });
    expect(orphan).toMatchObject({ index: 1, status: 'error', error: { code: 'DEAL.UNKNOWN_CUSTOMER' } });
    const upserted = await batch('deals', 'upsert', {
      match_on: 'external_id',
      inputs: [
        { name: 'Fleet renewal', external_id: ` erp-${t}  ` },
        { name: 'New', external_id: `erp-new-${t}`, primary_customer_id: customer.id },
      ],
    });
    expect(withoutRecords(upserted.body)).toEqual([
      { index: 0, status: 'updated', id: fleet.id, version: 2 },
      { index: 1, status: 'created', id: expect.any(String), version: 1 },
    ]);
    const byId = await batch('deals', 'upsert', { match_on: 'id', inputs: [{ id: fleet.id, name: 'Fleet renewal' }] });
    expect(withoutRecords(byId.body)).toEqual([{ index: 0, status: 'unchanged', id: fleet.id, version: 2 }]);
    const updated = await batch('deals', 'update', {
      inputs: [
        { id: fleet.id, amount: { amount_minor: 150_000 }, if_match: 2 },
        { id: upserted.body.data.results[1].id, name: 'Stale', if_match: 5 },
      ],
    });
    expect(updated.body.data.results.map((result: any) => result.error?.code ?? result.status)).toEqual([
      'updated',
      'DEAL.VERSION_MISMATCH',
    ]);
    const read = await batch('deals', 'read', { inputs: [{ id: fleet.id }] });
    expect(read.body.data.results[0]).toMatchObject({
      status: 'found',
      version: 3,
      record: { name: 'Fleet renewal', amount: { amount_minor: 150_000 } },
    });
    const archived = await batch('deals', 'archive', { inputs: [{ id: fleet.id }] });
    expect(archived.body.data.results[0]).toMatchObject({ status: 'archived', version: 4 });
    expect((await eventsOf('deal', fleet.id)).map((event) => event.type)).toEqual([
      'DealCreated',
      'DealUpdated',
      'DealUpdated',
      'DealDeleted',
    ]);
  });

  it('if_match per input: a stale version fails only that input (VERSION_MISMATCH); each changed input has its event', async () => {
    const t = tag();
    const [a, b, c] = [
      await createCustomer(`a.${t}@example.com`),
      await createCustomer(`b.${t}@example.com`),
      await createCustomer(`c.${t}@example.com`),
    ];
    const answer = await batch('customers', 'update', {
      inputs: [
        { id: a.id, name: 'A2', if_match: 1 },
        { id: b.id, name: 'B2', if_match: 7 },
        { id: c.id, name: 'Existing' },
      ],
    });
    expect(answer.status).toBe(207);
    expect(withoutRecords(answer.body)).toEqual([
      { index: 0, status: 'updated', id: a.id, version: 2 },
      {
        index: 1,
        status: 'error',
        id: null,
        version: null,
        error: expect.objectContaining({ code: 'CUSTOMER.VERSION_MISMATCH' }),
      },
      { index: 2, status: 'unchanged', id: c.id, version: 1 },
    ]);
    const [created, renamed] = await eventsOf('customer', a.id);
    expect(created!.type).toBe('CustomerCreated');
    expect(renamed).toMatchObject({ type: 'CustomerUpdated', data: { changes: { name: { from: 'Existing', to: 'A2' } } } });
    expect((await eventsOf('customer', b.id)).length).toBe(1);
    expect((await eventsOf('customer', c.id)).length).toBe(1);
  });

  it('reads by id in input order (missing ids are NOT_FOUND) and archives with per-input results', async () => {
    const t = tag();
    const [a, b] = [await createCustomer(`ra.${t}@example.com`), await createCustomer(`rb.${t}@example.com`)];
    const missing = randomUUID();
    const read = await batch('customers', 'read', { inputs: [{ id: b.id }, { id: missing }, { id: a.id }] });
    expect(read.status).toBe(207);
    expect(read.body.data.results.map((result: any) => [result.status, result.id, result.record?.email ?? result.error.code])).toEqual([
      ['found', b.id, `rb.${t}@example.com`],
      ['error', null, 'CUSTOMER.NOT_FOUND'],
      ['found', a.id, `ra.${t}@example.com`],
    ]);
    const archived = await batch('customers', 'archive', { inputs: [{ id: a.id }, { id: b.id, if_match: 3 }] });
    expect(archived.status).toBe(207);
    expect(archived.body.data.results.map((result: any) => result.status)).toEqual(['archived', 'error']);
    expect(archived.body.data.results[1].error.code).toBe('CUSTOMER.VERSION_MISMATCH');
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${a.id}` })).status).toBe(404);
    expect((await eventsOf('customer', a.id)).map((event) => event.type)).toEqual(['CustomerCreated', 'CustomerDeleted']);
  });

  it('Idempotency-Key covers the whole batch: a retry replays the answer and writes nothing again', async () => {
    const t = tag();
    const body = {
      inputs: [
        { name: 'Once', email: `once.${t}@example.com` },
        { name: 'Twice', email: 'broken' },
      ],
    };
    const key = randomUUID();
    const first = await batch('customers', 'create', body, { headers: { 'idempotency-key': key } });
    expect(first.status).toBe(207);
    const again = await batch('customers', 'create', body, { headers: { 'idempotency-key': key } });
    expect(again.status).toBe(207);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await countRows('customer_mgmt_customers', sql`email = ${`once.${t}@example.com`}`)).toBe(1);
  });

  it('per-input permissions: a sales rep touches only their own records; a field needs its own permission', async () => {
    const t = tag();
    const rep = claimsFor(['sales_rep'], REP);
    const mine = await createCustomer(`mine.${t}@example.com`, rep);
    const theirs = await createCustomer(`theirs.${t}@example.com`, claimsFor(['sales_rep'], OTHER_REP));
    const answer = await batch(
      'customers',
      'update',
      {
        inputs: [
          { id: mine.id, name: 'Mine' },
          { id: theirs.id, name: 'Stolen' },
        ],
      },
      { claims: rep },
    );
    expect(answer.body.data.results.map((result: any) => result.error?.code ?? result.status)).toEqual(['updated', 'CUSTOMER.NOT_FOUND']);
    const created = await batch(
      'customers',
      'create',
      {
        inputs: [
          { name: 'Own', email: `own.${t}@example.com` },
          { name: 'Gift', email: `gift.${t}@example.com`, assigned_to: OTHER_REP },
        ],
      },
      { claims: rep },
    );
    expect(created.body.data.results[0].record.assigned_to).toBe(REP);
    expect(created.body.data.results[1].error.code).toBe('FORBIDDEN');
    const service = await batch(
      'customers',
      'create',
      { inputs: [{ name: 'Tiered', email: `tiered.${t}@example.com`, tier: 'pro' }] },
      { claims: claimsFor(['service'], randomUUID()) },
    );
    expect(service.body.data.results[0].error).toMatchObject({ code: 'FORBIDDEN', details: { field: 'tier' } });
  });

  it('two batches touching the same records at once: no lost update, no duplicate, one event per change', async () => {
    const t = tag();
    const emails = Array.from({ length: 8 }, (_, index) => `race${index}.${t}@example.com`);
    const upsert = (name: string) => batch('customers', 'upsert', { inputs: emails.map((email) => ({ name, email })) });
    const [left, right] = await Promise.all([upsert('Left'), upsert('Right')]);
    for (const answer of [left, right]) expect(answer.body.data.counts.error).toBe(0);
    // Every email exists exactly once; each was created by one batch and updated (or left alone) by the other.
    for (const email of emails) expect(await countRows('customer_mgmt_customers', sql`email = ${email}`)).toBe(1);
    const statuses = [...left.body.data.results, ...right.body.data.results].map((result: any) => result.status);
    expect(statuses.filter((status) => status === 'created')).toHaveLength(8);
    const ids = left.body.data.results.map((result: any) => result.id);
    expect(right.body.data.results.map((result: any) => result.id)).toEqual(ids);
    // Concurrent updates of the same records: each lands, versions count them, and the events match the versions.
    const rename = (name: string) => batch('customers', 'update', { inputs: ids.map((id: string) => ({ id, name })) });
    const [one, two] = await Promise.all([rename('One'), rename('Two')]);
    expect([one.body.data.counts.error, two.body.data.counts.error]).toEqual([0, 0]);
    for (const id of ids) {
      const customer = (await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data;
      const events = await eventsOf('customer', id);
      expect(events).toHaveLength(customer.version);
      expect(customer.version).toBe(
        4 - [left, right].filter((answer) => answer.body.data.results[ids.indexOf(id)].status === 'unchanged').length,
      );
    }
  });

  it('two all_or_none batches over the same records in opposite orders: both commit, one after the other, without deadlock', async () => {
    const t = tag();
    const ids: string[] = [];
    for (let index = 0; index < 6; index++) ids.push((await createCustomer(`atomic${index}.${t}@example.com`)).id);
    const rename = (name: string, order: string[]) =>
      batch('customers', 'update', { inputs: order.map((id) => ({ id, name })) }, { query: 'all_or_none=true' });
    const [forward, backward] = await Promise.all([rename('Forward', ids), rename('Backward', [...ids].reverse())]);
    expect([forward.status, backward.status]).toEqual([200, 200]);
    const names = new Set<string>();
    for (const id of ids) {
      const customer = (await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data;
      expect(customer.version).toBe(3);
      expect(await eventsOf('customer', id)).toHaveLength(3);
      names.add(customer.name);
    }
    // Each batch committed whole, so every record ends with the name of the batch that committed last.
    expect(names.size).toBe(1);
  });

  it('lifecycle commands in a batch of their own: each input is its transition route (table, reason, if_match, event)', async () => {
    const t = tag();
    const [a, b, c] = [
      await createCustomer(`life-a.${t}@example.com`),
      await createCustomer(`life-b.${t}@example.com`),
      await createCustomer(`life-c.${t}@example.com`),
    ];
    const single = await api.call({ method: 'POST', path: `${BASE}/customers/${c.id}/qualify` });
    const answer = await batch('customers', 'transition', {
      inputs: [
        { id: a.id, command: 'qualify' },
        { id: b.id, command: 'convert' },
        { id: c.id, command: 'convert', if_match: 2 },
        { id: randomUUID(), command: 'churn', reason: 'price' },
      ],
    });
    expect(answer.status).toBe(207);
    expect(answer.body.data.results.map((result: any) => [result.status, result.error?.code ?? result.record.status])).toEqual([
      ['updated', 'prospect'],
      ['error', 'CUSTOMER.INVALID_TRANSITION'],
      ['updated', 'customer'],
      ['error', 'CUSTOMER.NOT_FOUND'],
    ]);
    const [, qualified] = await eventsOf('customer', a.id);
    const [, sameAsSingle] = await eventsOf('customer', c.id);
    expect(qualified!.type).toBe(sameAsSingle!.type);
    expect(single.status).toBe(200);
    const reason = await batch('customers', 'transition', { inputs: [{ id: a.id, command: 'qualify', reason: 'x' }] });
    expect(reason.body.data.results[0].error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'inputs[0].reason' }] },
    });
  });

  it('limits: 1-100 inputs, a body of up to 1 MiB on batch routes only (413 PAYLOAD_TOO_LARGE above)', async () => {
    const many = await batch('customers', 'create', {
      inputs: Array.from({ length: 101 }, (_, index) => ({ name: 'N', email: `n${index}@example.com` })),
    });
    expect(many.status).toBe(400);
    expect(many.body.error.details.fields[0]).toEqual({ field: 'inputs', message: 'give at most 100 inputs per batch' });
    expect((await batch('customers', 'create', { inputs: [] })).status).toBe(400);
    // 100 KiB passes on a batch route (over the 64 KiB of the others) and is refused on POST /customers.
    const padded = { name: 'Padded', email: `padded.${tag()}@example.com`, source: 'x'.repeat(40) };
    const wide = `{"inputs":[${JSON.stringify(padded)}]${' '.repeat(100 * 1024)}}`;
    expect((await batch('customers', 'create', wide, { headers: { 'content-type': 'application/json' } })).status).toBe(200);
    const single = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: `${JSON.stringify(padded)}${' '.repeat(100 * 1024)}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(single.status).toBe(413);
    const huge = `{"inputs":[]${' '.repeat(1024 * 1024)}}`;
    const refused = await batch('companies', 'update', huge, { headers: { 'content-type': 'application/json' } });
    expect(refused.status).toBe(413);
    expect(refused.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit_bytes: 1024 * 1024, size_bytes: huge.length } });
  });
});
