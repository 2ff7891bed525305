import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';

const REP = randomUUID();

/*
 * Hand-computed fixtures (docs/duplicates.md). pg_trgm lower-cases, pads each word with two spaces
 * before and one after, and compares trigram sets: similarity = shared / union.
 *   "John Smith": john → "  j"," jo","joh","ohn","hn " (5), smith → "  s"," sm","smi","mit","ith","th " (6): 11
 *   "Jon Smith":  jon → "  j"," jo","jon","on " (4) + smith (6): 10; shared 2 + 6 = 8, union 13 → 8/13 = 0.615
 *   "J. Smith":   j → "  j"," j " (2) + smith (6): 8; with John Smith shared 7, union 12 → 0.583;
 *                 with Jon Smith shared 7, union 11 → 0.636
 *   "John Doe":   with John Smith shared 5 (john), union 15 → 0.333 (below 0.5: not a candidate)
 *   "Zed Zebra":  no trigram in common with either → 0
 * Scores: email 1, phone 0.6, name 0.5 × similarity, company agreeing with a phone or name match +0.2; at most 1.
 */
describe.each(availableDialects())('duplicate detection on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let companyId: string;
  const ids: Record<string, string> = {};

  async function create(key: string, body: Record<string, unknown>) {
    const response = await api.call({ method: 'POST', path: `${BASE}/customers`, body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    ids[key] = response.body.data.id;
    return response;
  }
  const summary = (key: string) => expect.objectContaining({ id: ids[key] });

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2025-03-01T00:00:00.000Z'));
    await api.registerSalesRep(REP);
    companyId = (await api.call({ method: 'POST', path: `${BASE}/companies`, body: { name: 'Smith Holdings' } })).body.data.id;
    await create('subject', {
      name: 'John Smith',
      email: 'john.smith@example.com',
      phone: '+442079460958',
      company_id: companyId,
      assigned_to: REP,
    });
    await create('c1', { name: 'Jon Smith', email: 'jon.smith@other.example', company_id: companyId });
    await create('c2', { name: 'Jon Smith', email: 'j.smith@elsewhere.example', assigned_to: REP });
    await create('c3', { name: 'Zed Zebra', email: 'zed@example.com', phone: '+442079460958' });
    await create('c4', { name: 'John Doe', email: 'john.doe@example.com', company_id: companyId });
    await create('c5', { name: 'J. Smith', email: 'js@example.com', phone: '+44 20 7946 0958', company_id: companyId });
    await create('deleted', { name: 'John Smith', email: 'old.john@example.com', phone: '+442079460958' });
    expect((await api.call({ method: 'DELETE', path: `${BASE}/customers/${ids.deleted}` })).status).toBe(204);
  });
  afterAll(() => database.close());

  const byId = async (path: string, claims?: Record<string, string>) =>
    api.call({ method: 'GET', path: `${BASE}${path}`, ...(claims && { claims }) });
  const search = async (body: Record<string, unknown>, claims?: Record<string, string>) =>
    api.call({ method: 'POST', path: `${BASE}/customers/duplicates/search`, body, ...(claims && { claims }) });
  const scored = (body: any) =>
    body.data.map((candidate: any) => [candidate.customer.id, candidate.score, candidate.rules, candidate.name_similarity]);

  it("GET /customers/{id}/duplicates: every rule on the customer's own values, best first, exact scores", async () => {
    const response = await byId(`/customers/${ids.subject}/duplicates`);
    expect(response.status).toBe(200);
    expect(scored(response.body)).toEqual([
      [ids.c5, 1, ['phone', 'name', 'company'], 0.583], // 0.6 + 0.5 × 0.583 + 0.2 = 1.092, capped
      [ids.c3, 0.6, ['phone'], 0],
      [ids.c1, 0.508, ['name', 'company'], 0.615], // 0.5 × 8/13 + 0.2 = 0.5077
      [ids.c2, 0.308, ['name'], 0.615], // 0.5 × 8/13 = 0.3077
    ]);
    expect(response.body.data[0].customer).toEqual({
      id: ids.c5,
      name: 'J. Smith',
      email: 'js@example.com',
      phone: '+442079460958',
      company_id: companyId,
      assigned_to: null,
      status: 'lead',
      created_at: expect.stringMatching(/^2025-03-01T00:00:\d\d\.000Z$/),
    });
    expect(response.body.pagination).toEqual({ limit: 20, next_cursor: null });
  });

  it('pages by (score, id) with a cursor, and a page of 2 is followed by the rest', async () => {
    const first = await byId(`/customers/${ids.subject}/duplicates?limit=2`);
    expect(scored(first.body).map(([id]: string[]) => id)).toEqual([ids.c5, ids.c3]);
    const cursor = first.body.pagination.next_cursor;
    expect(cursor).toEqual(expect.any(String));
    const second = await byId(`/customers/${ids.subject}/duplicates?limit=2&after=${cursor}`);
    expect(scored(second.body).map(([id]: string[]) => id)).toEqual([ids.c1, ids.c2]);
    expect(second.body.pagination.next_cursor).toBeNull();
    expect((await byId(`/customers/${ids.subject}/duplicates?after=garbage`)).status).toBe(400);
  });

  it('POST /customers/duplicates/search: email (case-insensitive), phone in any notation, name, company', async () => {
    expect(scored((await search({ email: ' JOHN.Smith@Example.com ' })).body)).toEqual([[ids.subject, 1, ['email'], 0]]);
    // Jon Smith against the two Jon Smiths (1), J. Smith (7/11) and John Smith (8/13).
    expect(scored((await search({ name: 'Jon Smith' })).body)).toEqual([
      [ids.c1, 0.5, ['name'], 1],
      [ids.c2, 0.5, ['name'], 1],
      [ids.c5, 0.318, ['name'], 0.636],
      [ids.subject, 0.308, ['name'], 0.615],
    ]);
    expect(scored((await search({ phone: '+44 (20) 7946-0958', name: 'John Smith', company_id: companyId })).body)).toEqual([
      [ids.subject, 1, ['phone', 'name', 'company'], 1],
      [ids.c5, 1, ['phone', 'name', 'company'], 0.583],
      [ids.c3, 0.6, ['phone'], 0],
      [ids.c1, 0.508, ['name', 'company'], 0.615],
      [ids.c2, 0.308, ['name'], 0.615],
    ]);
    expect(scored((await search({ name: 'Nobody Like This' })).body)).toEqual([]);
  });

  it('refuses a search without email, phone or name, and values that do not parse (400, never 500)', async () => {
    for (const body of [{}, { company_id: companyId }, { email: 'not-an-email' }, { phone: 'call me' }, { name: '   ' }, { limit: 0 }]) {
      const response = await search(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('a sales rep sees only candidates assigned to them, and only duplicates of their own customers', async () => {
    const rep = claimsFor(['sales_rep'], REP);
    expect(scored((await byId(`/customers/${ids.subject}/duplicates`, rep)).body)).toEqual([[ids.c2, 0.308, ['name'], 0.615]]);
    const other = await byId(`/customers/${ids.c1}/duplicates`, rep);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('CUSTOMER.NOT_FOUND');
    expect(scored((await search({ phone: '+442079460958' }, rep)).body)).toEqual([[ids.subject, 0.6, ['phone'], 0]]);
  });

  it.runIf(dialect === 'data-api')('each read is one Data API call; a create with warnings costs what one without does', async () => {
    const callsOf = async (request: Parameters<ApiHarness['call']>[0]) => {
      database.endpoint!.resetCallCount();
      const response = await api.call(request);
      return { calls: database.endpoint!.callCount(), response };
    };
    expect((await callsOf({ method: 'GET', path: `${BASE}/customers/${ids.subject}/duplicates` })).calls).toBe(1);
    expect((await callsOf({ method: 'GET', path: `${BASE}/customers/${randomUUID()}/duplicates` })).calls).toBe(1);
    expect((await callsOf({ method: 'POST', path: `${BASE}/customers/duplicates/search`, body: { name: 'Jon Smith' } })).calls).toBe(1);
    const plain = await callsOf({ method: 'POST', path: `${BASE}/customers`, body: { name: 'Quentin Q', email: 'qq@example.com' } });
    const warned = await callsOf({ method: 'POST', path: `${BASE}/customers`, body: { name: 'John Smith', email: 'js2@example.com' } });
    expect(plain.response.body.warnings).toBeUndefined();
    expect(warned.response.body.warnings[0].candidates.length).toBeGreaterThan(0);
    expect(warned.calls).toBe(plain.calls);
    expect((await api.call({ method: 'DELETE', path: `${BASE}/customers/${warned.response.body.data.id}` })).status).toBe(204);
  });

  it('concurrent creates of one name all succeed, none is lost, and afterwards each lists all the others', async () => {
    // Each create's warning sees only the customers committed before its statement: some, all or none.
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        api.call({ method: 'POST', path: `${BASE}/customers`, body: { name: 'Ottilie Quarrington', email: `oq.${index}@example.com` } }),
      ),
    );
    expect(created.map((response) => response.status)).toEqual(Array(8).fill(201));
    const createdIds = created.map((response) => response.body.data.id as string);
    for (const response of created) {
      for (const candidate of response.body.warnings?.[0]?.candidates ?? []) expect(createdIds).toContain(candidate.customer.id);
    }
    for (const id of createdIds) {
      const listed = await byId(`/customers/${id}/duplicates`);
      expect(scored(listed.body)).toEqual(
        createdIds
          .filter((other) => other !== id)
          .sort()
          .map((other) => [other, 0.5, ['name'], 1]),
      );
    }
    for (const id of createdIds) await api.call({ method: 'DELETE', path: `${BASE}/customers/${id}` });
  });

  it('an unknown or deleted customer is 404', async () => {
    for (const id of [randomUUID(), ids.deleted]) {
      const response = await byId(`/customers/${id}/duplicates`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('CUSTOMER.NOT_FOUND');
    }
  });

  it('POST /customers answers 201 with warnings when phone or name match, none otherwise; email stays a hard 409', async () => {
    await create('grace', { name: 'Grace Hopper', email: 'grace@navy.example', phone: '+442079460000' });
    // A name only alike is not looked for in every insert (GET …/duplicates finds it):
    // "Grace Hopper" / "Grace Hoper": grace 6 trigrams; hopper 7, hoper 6; shared 6 + 5, union 13 + 12 - 11 = 14 → 11/14 = 0.786.
    const alike = await create('hoper', { name: 'Grace Hoper', email: 'g.hoper@example.com' });
    expect(alike.body.warnings).toBeUndefined();
    expect(scored((await byId(`/customers/${alike.body.data.id}/duplicates`)).body)).toEqual([[ids.grace, 0.393, ['name'], 0.786]]);
    expect((await api.call({ method: 'DELETE', path: `${BASE}/customers/${alike.body.data.id}` })).status).toBe(204);
    // The same name, case aside, is.
    const same = await create('hopper', { name: 'GRACE HOPPER', email: 'g.hopper@example.com' });
    expect(same.body.warnings).toEqual([
      {
        code: 'POSSIBLE_DUPLICATE',
        message: expect.any(String),
        candidates: [
          {
            customer: {
              id: ids.grace,
              name: 'Grace Hopper',
              email: 'grace@navy.example',
              phone: '+442079460000',
              company_id: null,
              assigned_to: null,
              status: 'lead',
              created_at: expect.any(String),
            },
            score: 0.5,
            rules: ['name'],
            name_similarity: 1,
          },
        ],
      },
    ]);
    expect((await api.call({ method: 'DELETE', path: `${BASE}/customers/${same.body.data.id}` })).status).toBe(204);
    const samePhone = await create('turing', { name: 'Alan Turing', email: 'alan@example.com', phone: '+44 20 7946 0000' });
    expect(samePhone.body.warnings[0].candidates.map((c: any) => [c.customer.id, c.score, c.rules])).toEqual([[ids.grace, 0.6, ['phone']]]);
    const unique = await create('unique', { name: 'Xavier Quillfeather', email: 'xq@example.com' });
    expect(Object.keys(unique.body)).toEqual(['status', 'data']);
    // A sales rep is warned only about customers they may see: none of these are theirs.
    const byRep = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: { name: 'Grace Hopper', email: 'grace.rep@example.com' },
      claims: claimsFor(['sales_rep'], REP),
    });
    expect(byRep.status).toBe(201);
    expect(byRep.body.warnings).toBeUndefined();
    const taken = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: { name: 'Grace Hopper', email: 'GRACE@navy.example' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('CUSTOMER.EMAIL_TAKEN');
  });
});

/*
 * Companies: domain 1 (a domain, alias or website host of one is a domain, alias or website host
 * of the other), name 0.5 × similarity, country agreeing with a name match +0.2.
 *   "ACME Ltd." ~ "Acme Ltd": the same trigrams (case and punctuation are not words) → 1
 *   "Acme Limited" ~ "Acme Ltd": acme 5 + limited 8 = 13, acme 5 + ltd 4 = 9, shared 6, union 16 → 0.375 (not a candidate)
 */
describe.each(availableDialects())('company duplicate detection on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const ids: Record<string, string> = {};
  async function create(key: string, body: Record<string, unknown>) {
    const response = await api.call({ method: 'POST', path: `${BASE}/companies`, body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    ids[key] = response.body.data.id;
  }
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2025-03-01T00:00:00.000Z'));
    await create('subject', { name: 'Acme Ltd', domain: 'acme-dup.example', domain_aliases: ['acme-dup.co.uk'], country: 'GB' });
    await create('k1', { name: 'ACME Ltd.', website: 'https://www.acme-dup.example/about', country: 'GB' });
    await create('k2', { name: 'Acme Ltd', country: 'FR' });
    await create('k3', { name: 'Acme Ltd', country: 'GB' });
    await create('k4', { name: 'Other Co', website: 'https://acme-dup.co.uk/' });
    await create('k5', { name: 'Acme Limited', country: 'GB' });
  });
  afterAll(() => database.close());

  const scored = (body: any) =>
    body.data.map((candidate: any) => [candidate.company.id, candidate.score, candidate.rules, candidate.name_similarity]);

  it('GET /companies/{id}/duplicates: domain, alias or website host exact; name raised by country; exact scores', async () => {
    const response = await api.call({ method: 'GET', path: `${BASE}/companies/${ids.subject}/duplicates` });
    expect(response.status).toBe(200);
    expect(scored(response.body)).toEqual([
      [ids.k1, 1, ['domain', 'name', 'country'], 1],
      [ids.k4, 1, ['domain'], 0],
      [ids.k3, 0.7, ['name', 'country'], 1],
      [ids.k2, 0.5, ['name'], 1],
    ]);
    expect(response.body.data[1].company).toEqual({
      id: ids.k4,
      name: 'Other Co',
      domain: null,
      domain_aliases: [],
      website: 'https://acme-dup.co.uk/',
      country: null,
      owner_id: null,
      created_at: expect.any(String),
    });
    // The other way round: Other Co's website names an alias of Acme.
    const back = await api.call({ method: 'GET', path: `${BASE}/companies/${ids.k4}/duplicates` });
    expect(scored(back.body)).toEqual([[ids.subject, 1, ['domain'], 0]]);
  });

  it('a sales rep sees duplicates only of companies they may read (404 otherwise)', async () => {
    const rep = randomUUID();
    const response = await api.call({
      method: 'GET',
      path: `${BASE}/companies/${ids.subject}/duplicates`,
      claims: claimsFor(['sales_rep'], rep),
    });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('COMPANY.NOT_FOUND');
  });
});
