import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

/** POST /interactions/batch/*: each input is the interaction's single route (schemas, owner rules, scope, events). */
describe.each(availableDialects())('interaction batches on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const REP = randomUUID();
  const OTHER_REP = randomUUID();
  const AT = '2026-01-15T10:00:00.000Z';
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-04-03T09:00:00.000Z'));
    await api.registerSalesRep(REP);
    await api.registerSalesRep(OTHER_REP);
  });
  afterAll(() => database.close());

  const tag = () => randomUUID().slice(0, 8);
  const batch = (operation: string, body: unknown, options: { query?: string; claims?: Record<string, string> } = {}) =>
    api.call({
      method: 'POST',
      path: `${BASE}/interactions/batch/${operation}${options.query ? `?${options.query}` : ''}`,
      body,
      ...(options.claims && { claims: options.claims }),
    });
  const post = async (path: string, body: unknown, claims?: Record<string, string>) => {
    const answer = await api.call({ method: 'POST', path: `${BASE}${path}`, body, ...(claims && { claims }) });
    if (answer.status >= 300) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.data;
  };
  const customer = (claims?: Record<string, string>) =>
    post('/customers', { name: 'Linked', email: `linked.${tag()}@example.com` }, claims);
  const company = () => post('/companies', { name: `Firm ${tag()}` });
  const note = (links: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    type: 'note',
    occurred_at: AT,
    subject: 'Note',
    links,
    ...extra,
  });
  const eventsOf = async (id: string) =>
    (
      (await api.call({ method: 'GET', path: `${BASE}/events?aggregate_type=interaction&aggregate_id=${id}&limit=100` })).body.data as {
        event_type: string;
      }[]
    ).map((event) => event.event_type);
  const withoutRecords = (body: any) => body.data.results.map(({ record: _record, ...rest }: any) => rest);
  const countExternal = async (externalId: string) =>
    Number(
      (
        await sql<{ n: number }>`select count(*)::int as n from customer_mgmt_interactions where external_id = ${externalId}`.execute(
          database.db,
        )
      ).rows[0]!.n,
    );

  it('creates each input as POST /interactions: per-input errors, and a known source + external_id answers that interaction unchanged', async () => {
    const t = tag();
    const person = await customer();
    const missing = randomUUID();
    const first = await batch('create', {
      inputs: [
        note({ customer_ids: [person.id] }, { subject: 'First' }),
        note({ customer_ids: [person.id] }, { source: 'email_sync', external_id: `Msg-${t}` }),
        note({ customer_ids: [missing] }),
        { type: 'call', occurred_at: AT, links: { customer_ids: [person.id] } },
      ],
    });
    expect(first.status).toBe(207);
    const [plain, synced, orphan, callWithoutDirection] = first.body.data.results;
    expect(plain).toMatchObject({
      index: 0,
      status: 'created',
      version: 1,
      record: { subject: 'First', links: { customer_ids: [person.id] } },
    });
    expect(synced).toMatchObject({ index: 1, status: 'created', record: { source: 'email_sync', external_id: `Msg-${t}` } });
    expect(orphan).toMatchObject({
      index: 2,
      status: 'error',
      error: { code: 'CUSTOMER.NOT_FOUND', details: { field: 'links.customer_ids', id: missing } },
    });
    expect(callWithoutDirection).toMatchObject({ index: 3, status: 'error', error: { code: 'VALIDATION_FAILED' } });
    expect(first.body.data.counts).toEqual({ total: 4, created: 2, updated: 0, unchanged: 0, archived: 0, found: 0, error: 2 });

    const again = await batch('create', {
      inputs: [note({ customer_ids: [person.id] }, { source: 'email_sync', external_id: `Msg-${t}` })],
    });
    expect(withoutRecords(again.body)).toEqual([{ index: 0, status: 'unchanged', id: synced.id, version: 1 }]);
    expect(await eventsOf(synced.id)).toEqual(['InteractionLogged']);
    expect(await countExternal(`Msg-${t}`)).toBe(1);
    // The customer's last_interaction_at moved, as the single route moves it.
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${person.id}` })).body.data.last_interaction_at).toBe(AT);
  });

  it('upserts by (source, external_id) exactly as the unique index compares them; the default source is manual', async () => {
    const t = tag();
    const person = await customer();
    const firm = await company();
    const existing = await post('/interactions', note({ customer_ids: [person.id] }, { source: 'email_sync', external_id: `Msg-${t}` }));
    const answer = await batch('upsert', {
      match_on: 'external_id',
      inputs: [
        note({ company_id: firm.id }, { subject: 'Renamed', source: 'email_sync', external_id: `Msg-${t}` }),
        note({ company_id: firm.id }, { source: 'email_sync', external_id: `msg-${t}` }),
        note({ company_id: firm.id }, { external_id: `Msg-${t}` }),
      ],
    });
    expect(answer.status).toBe(200);
    expect(withoutRecords(answer.body)).toEqual([
      { index: 0, status: 'updated', id: existing.id, version: 2 },
      { index: 1, status: 'created', id: expect.any(String), version: 1 },
      { index: 2, status: 'created', id: expect.any(String), version: 1 },
    ]);
    // The update kept the customer link (fixed at logging) and added the company.
    expect(answer.body.data.results[0].record).toMatchObject({
      subject: 'Renamed',
      source: 'email_sync',
      external_id: `Msg-${t}`,
      links: { customer_ids: [person.id], company_id: firm.id },
    });
    expect(answer.body.data.results[2].record.source).toBe('manual');
    expect(await eventsOf(existing.id)).toEqual(['InteractionLogged', 'InteractionUpdated']);
    const same = await batch('upsert', {
      match_on: 'external_id',
      inputs: [note({ company_id: firm.id }, { subject: 'Renamed', source: 'email_sync', external_id: `Msg-${t}` })],
    });
    expect(withoutRecords(same.body)).toEqual([{ index: 0, status: 'unchanged', id: existing.id, version: 2 }]);
  });

  it('an upsert by id cannot change the fixed source or external_id; a missing key or an unknown id is that input’s error', async () => {
    const t = tag();
    const person = await customer();
    const existing = await post('/interactions', note({ customer_ids: [person.id] }, { source: 'calendar_sync', external_id: `ev-${t}` }));
    const answer = await batch('upsert', {
      match_on: 'id',
      inputs: [
        { id: existing.id, ...note({}, { subject: 'Moved', external_id: `other-${t}` }) },
        { id: randomUUID(), ...note({}) },
        note({}),
      ],
    });
    expect(answer.status).toBe(207);
    const [fixed, unknown, keyless] = answer.body.data.results;
    expect(fixed.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: `The request is invalid. external_id: external_id is fixed when the interaction is logged; this one has external_id "ev-${t}"`,
      details: {
        fields: [
          { field: 'external_id', message: `external_id is fixed when the interaction is logged; this one has external_id "ev-${t}"` },
        ],
      },
    });
    expect(unknown.error.code).toBe('INTERACTION.NOT_FOUND');
    expect(keyless.error.details.fields).toEqual([{ field: 'inputs[2].id', message: 'is required to match on id' }]);
    const same = await batch('upsert', {
      match_on: 'id',
      inputs: [{ id: existing.id, ...note({}, { subject: 'Moved', source: 'calendar_sync', external_id: `ev-${t}` }) }],
    });
    expect(withoutRecords(same.body)).toEqual([{ index: 0, status: 'updated', id: existing.id, version: 2 }]);
  });

  it('two inputs with one source and external_id are both BATCH.DUPLICATE_TARGET; the same external_id from two sources is two records', async () => {
    const t = tag();
    const firm = await company();
    const answer = await batch('upsert', {
      match_on: 'external_id',
      inputs: [
        note({ company_id: firm.id }, { source: 'phone_system', external_id: `call-${t}` }),
        note({ company_id: firm.id }, { source: 'import', external_id: `call-${t}` }),
        note({ company_id: firm.id }, { source: 'phone_system', external_id: `call-${t}`, subject: 'Again' }),
      ],
    });
    expect(answer.body.data.results.map((result: any) => result.error?.code ?? result.status)).toEqual([
      'BATCH.DUPLICATE_TARGET',
      'created',
      'BATCH.DUPLICATE_TARGET',
    ]);
    expect(answer.body.data.results[0].error.details).toEqual({ target: `external_id:phone_system:call-${t}`, indexes: [0, 2] });
    expect(await countExternal(`call-${t}`)).toBe(1);
  });

  it('a deleted interaction’s external_id is not logged again: the upsert answers INTERACTION.EXTERNAL_ID_TAKEN', async () => {
    const t = tag();
    const firm = await company();
    const gone = await post('/interactions', note({ company_id: firm.id }, { source: 'import', external_id: `gone-${t}` }));
    expect((await api.call({ method: 'DELETE', path: `${BASE}/interactions/${gone.id}` })).status).toBe(204);
    const answer = await batch('upsert', {
      match_on: 'external_id',
      inputs: [note({ company_id: firm.id }, { source: 'import', external_id: `gone-${t}` })],
    });
    expect(answer.body.data.results[0]).toMatchObject({
      status: 'error',
      error: { code: 'INTERACTION.EXTERNAL_ID_TAKEN', details: { field: 'external_id' } },
    });
    expect(await countExternal(`gone-${t}`)).toBe(1);
  });

  it('update with if_match, read in input order, archive as DELETE: each with its single route’s event', async () => {
    const person = await customer();
    const created = await batch('create', {
      inputs: [note({ customer_ids: [person.id] }), note({ customer_ids: [person.id] }, { subject: 'B' })],
    });
    const [a, b] = created.body.data.results.map((result: any) => result.id);
    const updated = await batch('update', {
      inputs: [
        { id: a, subject: 'A2', if_match: 1 },
        { id: b, subject: 'B2', if_match: 4 },
      ],
    });
    expect(updated.body.data.results.map((result: any) => result.error?.code ?? result.status)).toEqual([
      'updated',
      'INTERACTION.VERSION_MISMATCH',
    ]);
    const missing = randomUUID();
    const read = await batch('read', { inputs: [{ id: b }, { id: missing }, { id: a }] });
    expect(read.status).toBe(207);
    expect(read.body.data.results.map((result: any) => [result.status, result.record?.subject ?? result.error.code])).toEqual([
      ['found', 'B'],
      ['error', 'INTERACTION.NOT_FOUND'],
      ['found', 'A2'],
    ]);
    const archived = await batch('archive', { inputs: [{ id: a }, { id: b, if_match: 1 }] });
    expect(withoutRecords(archived.body)).toEqual([
      { index: 0, status: 'archived', id: a, version: 3 },
      { index: 1, status: 'archived', id: b, version: 2 },
    ]);
    expect((await api.call({ method: 'GET', path: `${BASE}/interactions/${a}` })).status).toBe(404);
    expect(await eventsOf(a)).toEqual(['InteractionLogged', 'InteractionUpdated', 'InteractionDeleted']);
    expect((await batch('archive', { inputs: [{ id: a }] })).body.data.results[0].error.code).toBe('INTERACTION.NOT_FOUND');
    // The customer's last_interaction_at is recomputed as on DELETE: no live interaction links them now.
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${person.id}` })).body.data.last_interaction_at).toBeNull();
  });

  it('owner rules per input: a rep changes only what they own (NOT_OWNER for what they only see), and owns only what they log', async () => {
    const t = tag();
    const rep = claimsFor(['sales_rep'], REP);
    const other = claimsFor(['sales_rep'], OTHER_REP);
    const theirCustomer = await customer(other);
    const mineCustomer = await customer(rep);
    // Owned by REP, linked to OTHER_REP's customer: OTHER_REP sees it but does not own it.
    const seen = await post(
      '/interactions',
      note({ customer_ids: [theirCustomer.id] }, { owner_id: REP, source: 'import', external_id: `seen-${t}` }),
    );
    const hidden = await post('/interactions', note({ customer_ids: [mineCustomer.id] }, { owner_id: REP }));
    const updated = await batch(
      'update',
      {
        inputs: [
          { id: seen.id, subject: 'Mine now' },
          { id: hidden.id, subject: 'Mine now' },
        ],
      },
      { claims: other },
    );
    expect(updated.body.data.results.map((result: any) => result.error?.code)).toEqual(['INTERACTION.NOT_OWNER', 'INTERACTION.NOT_FOUND']);
    const upserted = await batch(
      'upsert',
      {
        match_on: 'external_id',
        inputs: [note({ company_id: null }, { subject: 'Mine now', source: 'import', external_id: `seen-${t}` })],
      },
      { claims: other },
    );
    expect(upserted.body.data.results[0].error.code).toBe('INTERACTION.NOT_OWNER');
    const archived = await batch('archive', { inputs: [{ id: seen.id }] }, { claims: other });
    expect(archived.body.data.results[0].error).toMatchObject({ code: 'INTERACTION.NOT_OWNER', details: { owner_id: REP } });
    const created = await batch(
      'create',
      {
        inputs: [
          note({ customer_ids: [theirCustomer.id] }),
          note({ customer_ids: [theirCustomer.id] }, { owner_id: REP }),
          note({ customer_ids: [mineCustomer.id] }),
        ],
      },
      { claims: other },
    );
    expect(created.body.data.results.map((result: any) => result.error?.code ?? result.record.owner_id)).toEqual([
      OTHER_REP,
      'FORBIDDEN',
      'CUSTOMER.NOT_FOUND',
    ]);
    expect((await api.call({ method: 'GET', path: `${BASE}/interactions/${seen.id}` })).body.data).toMatchObject({
      subject: 'Note',
      version: 1,
    });
    // A viewer may read but not write: the route's permission.
    expect((await batch('archive', { inputs: [{ id: seen.id }] }, { claims: claimsFor(['viewer'], randomUUID()) })).status).toBe(403);
  });

  it('all_or_none: one failed input applies nothing (422 BATCH.FAILED, no InteractionLogged)', async () => {
    const person = await customer();
    const before = Number(
      (await sql<{ n: number }>`select count(*)::int as n from customer_mgmt_interactions`.execute(database.db)).rows[0]!.n,
    );
    const answer = await batch(
      'create',
      { inputs: [note({ customer_ids: [person.id] }), note({ customer_ids: [randomUUID()] })] },
      { query: 'all_or_none=true' },
    );
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('BATCH.FAILED');
    expect(answer.body.error.details.errors).toEqual([expect.objectContaining({ index: 1, code: 'CUSTOMER.NOT_FOUND' })]);
    const after = Number(
      (await sql<{ n: number }>`select count(*)::int as n from customer_mgmt_interactions`.execute(database.db)).rows[0]!.n,
    );
    expect(after).toBe(before);
  });

  it('concurrent upserts of the same new (source, external_id): one interaction, the others update or leave it', async () => {
    const t = tag();
    const firm = await company();
    const keys = Array.from({ length: 5 }, (_, index) => `race-${index}-${t}`);
    const run = (subject: string) =>
      batch('upsert', {
        match_on: 'external_id',
        inputs: keys.map((key) => note({ company_id: firm.id }, { subject, source: 'email_sync', external_id: key })),
      });
    const subjects = ['Left', 'Right', 'Middle'];
    const answers = await Promise.all(subjects.map(run));
    for (const answer of answers) expect([answer.status, answer.body.data.counts.error]).toEqual([200, 0]);
    // No input is lost: whoever did not create a record updated it with its own subject (a loser of the race too).
    answers.forEach((answer, index) => {
      for (const result of answer.body.data.results) {
        expect([result.status === 'created' ? 'updated' : result.status, result.record.subject]).toEqual(['updated', subjects[index]]);
      }
    });
    for (const key of keys) expect(await countExternal(key)).toBe(1);
    const statuses = answers.flatMap((answer) => answer.body.data.results.map((result: any) => result.status));
    expect(statuses.filter((status) => status === 'created')).toHaveLength(keys.length);
    const ids = answers[0]!.body.data.results.map((result: any) => result.id);
    for (const answer of answers.slice(1)) expect(answer.body.data.results.map((result: any) => result.id)).toEqual(ids);
    for (const id of ids) {
      const interaction = (await api.call({ method: 'GET', path: `${BASE}/interactions/${id}` })).body.data;
      expect((await eventsOf(id)).length).toBe(interaction.version);
    }
  });
});
