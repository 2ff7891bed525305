import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';
import { routes } from '../../functions/routes.js';

const REP = randomUUID();
const unique = () => randomUUID().slice(0, 8);

describe.each(availableDialects())('company merge on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-03-01T00:00:00.000Z'));
    await api.registerSalesRep(REP);
  });
  afterAll(() => database.close());

  const post = (path: string, body: unknown, headers?: Record<string, string>) =>
    api.call({ method: 'POST', path: `${BASE}${path}`, body, ...(headers && { headers }) });
  const get = (path: string) => api.call({ method: 'GET', path: `${BASE}${path}` });
  async function company(body: Record<string, unknown> = {}) {
    const created = await post('/companies', { name: `Company ${unique()}`, domain: `c${unique()}.example.com`, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.data as { id: string; domain: string; version: number };
  }
  async function contact(companyId: string) {
    const created = await post('/customers', { name: `Person ${unique()}`, email: `p.${unique()}@example.com`, company_id: companyId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.data as { id: string };
  }
  const history = async (id: string) => (await get(`/companies/${id}/history?limit=100`)).body.data as any[];

  it('fills blanks from the most recent loser, unites domains and tags, moves contacts, deals, interactions and subsidiaries', async () => {
    const survivor = await company({ name: 'Acme', domain_aliases: [`acme-${unique()}.example.org`], tags: ['key'] });
    const older = await company({ name: 'Acme Ltd', industry: 'software', country: 'GB', tags: ['partner'] });
    const newerAlias = `acme-${unique()}.example.net`;
    const newer = await company({
      name: 'ACME',
      industry: 'manufacturing',
      owner_id: REP,
      domain_aliases: [newerAlias],
      tags: ['key', 'beta'],
    });
    const person = await contact(older.id);
    const deal = await post('/deals', { name: 'Acme deal', company_id: newer.id });
    expect(deal.status, JSON.stringify(deal.body)).toBe(201);
    const note = await post('/interactions', { type: 'note', occurred_at: '2026-02-01T10:00:00Z', links: { company_id: older.id } });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    const subsidiary = await company({ parent_company_id: older.id });
    const before = await get(`/companies/${survivor.id}`);

    const merged = await post(`/companies/${survivor.id}/merge`, { merge_ids: [older.id, newer.id] }, { 'if-match': before.headers.etag! });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    const result = merged.body.data;
    expect(result).toMatchObject({
      merged_ids: [older.id, newer.id],
      moved: { contacts: 1, deals: 1, interactions: 1, subsidiaries: 1 },
      dry_run: false,
      company: {
        id: survivor.id,
        name: 'Acme',
        domain: survivor.domain,
        industry: 'manufacturing', // the most recently updated loser's
        country: 'GB', // the only loser with one
        owner_id: REP,
        tags: ['key', 'beta', 'partner'], // the survivor's, then the most recently updated loser's
        last_interaction_at: '2026-02-01T10:00:00.000Z',
      },
    });
    expect(result.company.domain_aliases).toEqual(expect.arrayContaining([older.domain, newer.domain, newerAlias]));
    expect(result.company.domain_aliases).toHaveLength(4);
    expect(result.field_sources).toMatchObject({ name: survivor.id, industry: newer.id, country: older.id, owner_id: newer.id });
    const reread = await get(`/companies/${survivor.id}`);
    expect(reread.body.data).toEqual(result.company);
    expect(merged.headers.etag).toBe(reread.headers.etag);

    // The losers are gone and say where to; their domains find the survivor.
    const gone = await get(`/companies/${older.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ code: 'COMPANY.MERGED', details: { merged_into: survivor.id } });
    expect((await get(`/companies/domain/${older.domain}`)).body.data.id).toBe(survivor.id);
    expect((await get(`/companies/domain/${newerAlias}`)).body.data.id).toBe(survivor.id);
    const taken = await post('/companies', { name: 'Copycat', domain: newer.domain });
    expect(taken.status).toBe(409);
    // Everything that pointed at a loser points at the survivor.
    expect((await get(`/customers/${person.id}`)).body.data.company_id).toBe(survivor.id);
    expect((await get(`/deals/${deal.body.data.id}`)).body.data.company_id).toBe(survivor.id);
    expect((await get(`/interactions/${note.body.data.id}`)).body.data.links.company_id).toBe(survivor.id);
    expect((await get(`/companies/${subsidiary.id}`)).body.data.parent_company_id).toBe(survivor.id);
    // The ledger has every move.
    const { rows: ledger } = await sql<{ record_type: string; record_id: string }>`
      select record_type, record_id from customer_mgmt_merge_moves where merge_id = cast(${result.merge_id} as uuid) order by record_type`.execute(
      database.db,
    );
    expect(ledger).toEqual([
      { record_type: 'contact', record_id: person.id },
      { record_type: 'deal', record_id: deal.body.data.id },
      { record_type: 'interaction', record_id: note.body.data.id },
      { record_type: 'subsidiary', record_id: subsidiary.id },
    ]);
    // Events: CompanyMerged on the survivor, CompanyMergedInto on each loser.
    expect((await history(survivor.id)).at(-1)).toMatchObject({
      event_type: 'CompanyMerged',
      data: {
        merge_id: result.merge_id,
        merged_ids: [older.id, newer.id],
        moved: { contacts: 1, deals: 1, interactions: 1, subsidiaries: 1 },
        changes: { industry: { from: null, to: 'manufacturing' }, country: { from: null, to: 'GB' } },
      },
    });
    const { rows } = await sql<{ aggregate_id: string; data: any }>`
      select cast(aggregate_id as text) as aggregate_id, data from customer_mgmt_events
      where event_type = 'CompanyMergedInto' and aggregate_type = 'company'
        and aggregate_id in (cast(${older.id} as uuid), cast(${newer.id} as uuid))`.execute(database.db);
    expect(rows.map((row) => row.aggregate_id).sort()).toEqual([older.id, newer.id].sort());
  });

  it('dry_run answers the merge without writing anything', async () => {
    const survivor = await company();
    const loser = await company({ phone: '+442079460001' });
    await contact(loser.id);
    const preview = await post(`/companies/${survivor.id}/merge`, { merge_ids: [loser.id], dry_run: true });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.data).toMatchObject({
      dry_run: true,
      merge_id: null,
      undo_until: null,
      domains: [loser.domain],
      moved: { contacts: 1, deals: 0, interactions: 0, subsidiaries: 0 },
      company: { phone: '+442079460001', domain_aliases: [loser.domain] },
    });
    expect((await get(`/companies/${loser.id}`)).status).toBe(200);
    expect((await get(`/companies/${survivor.id}`)).body.data).toMatchObject({
      phone: null,
      domain_aliases: [],
      version: survivor.version,
    });
  });

  it('field_choices picks where a field comes from', async () => {
    const survivor = await company({ name: 'Survivor Inc', country: 'DE' });
    const loser = await company({ name: 'Loser GmbH', country: 'AT' });
    const merged = await post(`/companies/${survivor.id}/merge`, { merge_ids: [loser.id], field_choices: { name: loser.id } });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.data.company).toMatchObject({ name: 'Loser GmbH', country: 'DE' });
    const stranger = await company();
    const refused = await post(`/companies/${survivor.id}/merge`, {
      merge_ids: [(await company()).id],
      field_choices: { name: stranger.id },
    });
    expect(refused.status).toBe(400);
  });

  it('refuses a cycle, too many tags or domains, itself, a stale If-Match, an unknown or merged company — writing nothing', async () => {
    const parent = await company();
    const child = await company({ parent_company_id: parent.id });
    const cycle = await post(`/companies/${child.id}/merge`, { merge_ids: [parent.id] });
    expect(cycle.status).toBe(409);
    expect(cycle.body.error).toMatchObject({ code: 'COMPANY.HIERARCHY_CYCLE', details: { ancestor_id: parent.id } });
    const grandchild = await company({ parent_company_id: child.id });
    const deep = await post(`/companies/${grandchild.id}/merge`, { merge_ids: [parent.id] });
    expect(deep.body.error.code).toBe('COMPANY.HIERARCHY_CYCLE');
    // The other way round is fine: the child's subsidiaries move up to the parent.
    const upward = await post(`/companies/${parent.id}/merge`, { merge_ids: [child.id] });
    expect(upward.status, JSON.stringify(upward.body)).toBe(200);
    expect((await get(`/companies/${grandchild.id}`)).body.data.parent_company_id).toBe(parent.id);

    const manyTags = (prefix: string) => Array.from({ length: 30 }, (_, index) => `${prefix}-${index}`);
    const tagged = await company({ tags: manyTags('a') });
    const tagged2 = await company({ tags: manyTags('b') });
    const tooMany = await post(`/companies/${tagged.id}/merge`, { merge_ids: [tagged2.id] });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error).toMatchObject({ code: 'MERGE.TOO_MANY_TAGS', details: { tags: 60, max: 50 } });

    const aliases = (count: number) => Array.from({ length: count }, () => `a${unique()}.example.com`);
    const wide = await company({ domain_aliases: aliases(15) });
    const wide2 = await company({ domain_aliases: aliases(5) });
    const tooWide = await post(`/companies/${wide.id}/merge`, { merge_ids: [wide2.id] });
    expect(tooWide.status).toBe(409);
    expect(tooWide.body.error).toMatchObject({ code: 'MERGE.TOO_MANY_DOMAINS', details: { domain_aliases: 21, max: 20 } });

    const self = await post(`/companies/${wide.id}/merge`, { merge_ids: [wide.id] });
    expect(self.body.error.code).toBe('MERGE.INVALID_SET');
    const stale = await post(`/companies/${wide.id}/merge`, { merge_ids: [wide2.id] }, { 'if-match': '"99"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('COMPANY.VERSION_MISMATCH');
    const unknown = await post(`/companies/${wide.id}/merge`, { merge_ids: [randomUUID()] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('COMPANY.NOT_FOUND');
    const merged = await post(`/companies/${wide.id}/merge`, { merge_ids: [child.id] });
    expect(merged.status).toBe(404);
    expect(merged.body.error).toMatchObject({ code: 'COMPANY.MERGED', details: { merged_into: parent.id } });
    // Nothing was written by the refusals.
    expect((await get(`/companies/${tagged2.id}`)).status).toBe(200);
    expect((await get(`/companies/${wide.id}`)).body.data.version).toBe(wide.version);
  });

  it('moves open deals and live contacts before the losers are deleted (the delete triggers would refuse them)', async () => {
    const survivor = await company();
    const loser = await company();
    const people = await Promise.all([contact(loser.id), contact(loser.id)]);
    const open = await post('/deals', { name: 'Open', company_id: loser.id });
    expect(open.status).toBe(201);
    const merged = await post(`/companies/${survivor.id}/merge`, { merge_ids: [loser.id] });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.data.moved).toMatchObject({ contacts: 2, deals: 1 });
    for (const person of people) expect((await get(`/customers/${person.id}`)).body.data.company_id).toBe(survivor.id);
  });

  it('unmerge gives one loser back with its domains and exactly what the merge moved from it; the other loser stays merged', async () => {
    const survivor = await company({ tags: ['key'] });
    const alias = `back-${unique()}.example.org`;
    const loser = await company({ domain_aliases: [alias] });
    const other = await company();
    const person = await contact(loser.id);
    const otherPerson = await contact(other.id);
    const deal = await post('/deals', { name: 'Back deal', company_id: loser.id });
    expect(deal.status).toBe(201);
    const note = await post('/interactions', { type: 'note', occurred_at: '2026-02-01T10:00:00Z', links: { company_id: loser.id } });
    expect(note.status).toBe(201);
    const subsidiary = await company({ parent_company_id: loser.id });
    const merged = await post(`/companies/${survivor.id}/merge`, { merge_ids: [loser.id, other.id] });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);

    const unmerged = await post(`/companies/${survivor.id}/unmerge`, { company_id: loser.id });
    expect(unmerged.status, JSON.stringify(unmerged.body)).toBe(200);
    expect(unmerged.body.data).toMatchObject({
      merge_id: merged.body.data.merge_id,
      moved_back: { contacts: 1, deals: 1, interactions: 1, subsidiaries: 1 },
      restored: { id: loser.id, domain: loser.domain, domain_aliases: [alias] },
      company: { id: survivor.id, domain_aliases: [other.domain] },
    });
    expect(unmerged.headers.etag).toBe((await get(`/companies/${survivor.id}`)).headers.etag);
    expect((await get(`/companies/${loser.id}`)).body.data).toEqual(unmerged.body.data.restored);
    expect((await get(`/companies/domain/${alias}`)).body.data.id).toBe(loser.id);
    expect((await get(`/customers/${person.id}`)).body.data.company_id).toBe(loser.id);
    expect((await get(`/deals/${deal.body.data.id}`)).body.data.company_id).toBe(loser.id);
    expect((await get(`/interactions/${note.body.data.id}`)).body.data.links.company_id).toBe(loser.id);
    expect((await get(`/companies/${subsidiary.id}`)).body.data.parent_company_id).toBe(loser.id);
    // The other loser is still merged, its contact still on the survivor.
    expect((await get(`/companies/${other.id}`)).body.error.code).toBe('COMPANY.MERGED');
    expect((await get(`/customers/${otherPerson.id}`)).body.data.company_id).toBe(survivor.id);
    expect((await history(loser.id)).at(-1)).toMatchObject({ event_type: 'CompanyUnmerged', data: { restored_id: loser.id } });
    expect((await history(survivor.id)).at(-1)).toMatchObject({ event_type: 'CompanyUnmerged', data: { survivor_id: survivor.id } });
    // Given back already.
    const again = await post(`/companies/${survivor.id}/unmerge`, { company_id: loser.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('MERGE.NOT_MERGED');
  });

  it('unmerge is refused when a moved record or a taken domain changed since, or after 30 days — writing nothing', async () => {
    const survivor = await company();
    const loser = await company();
    const elsewhere = await company();
    const deal = await post('/deals', { name: 'Moved on', company_id: loser.id });
    expect(deal.status).toBe(201);
    const merged = await post(`/companies/${survivor.id}/merge`, { merge_ids: [loser.id] });
    expect(merged.status).toBe(200);
    const moved = await api.call({ method: 'PUT', path: `${BASE}/deals/${deal.body.data.id}`, body: { company_id: elsewhere.id } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const unsafe = await post(`/companies/${survivor.id}/unmerge`, { company_id: loser.id });
    expect(unsafe.status).toBe(409);
    expect(unsafe.body.error).toMatchObject({
      code: 'MERGE.UNDO_UNSAFE',
      details: { changed: [{ record_type: 'deal', record_id: deal.body.data.id }] },
    });
    expect((await get(`/companies/${loser.id}`)).body.error.code).toBe('COMPANY.MERGED');

    const survivor2 = await company();
    const loser2 = await company();
    expect((await post(`/companies/${survivor2.id}/merge`, { merge_ids: [loser2.id] })).status).toBe(200);
    const current = await get(`/companies/${survivor2.id}`);
    const dropped = await api.call({ method: 'PUT', path: `${BASE}/companies/${survivor2.id}`, body: { domain_aliases: [] } });
    expect(dropped.status, JSON.stringify(dropped.body)).toBe(200);
    const lostDomain = await post(`/companies/${survivor2.id}/unmerge`, { company_id: loser2.id });
    expect(lostDomain.body.error).toMatchObject({
      code: 'MERGE.UNDO_UNSAFE',
      details: { changed: [{ record_type: 'domain', record_id: loser2.domain }] },
    });
    expect((await get(`/companies/${survivor2.id}`)).body.data.version).toBe(current.body.data.version + 1);

    const survivor3 = await company();
    const loser3 = await company();
    const merged3 = await post(`/companies/${survivor3.id}/merge`, { merge_ids: [loser3.id] });
    const undoUntil = Date.parse(merged3.body.data.undo_until);
    const later = createApiHarness(database.db, () => new Date(undoUntil + 1000));
    const late = await later.call({ method: 'POST', path: `${BASE}/companies/${survivor3.id}/unmerge`, body: { company_id: loser3.id } });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'MERGE.UNDO_EXPIRED', details: { undo_until: merged3.body.data.undo_until } });
  });

  it('every route of a company answers a merged one with 404 COMPANY.MERGED naming the survivor (generated from the route table)', async () => {
    const survivor = await company();
    const loser = await company();
    const bystander = await company();
    expect((await post(`/companies/${survivor.id}/merge`, { merge_ids: [loser.id] })).status).toBe(200);
    // A body each route accepts; a new route of /companies/{id} needs one here (the test fails until it has one).
    const bodies: Record<string, unknown> = {
      updateCompany: { name: 'Renamed' },
      assignCompany: { owner_id: REP },
      replaceCompanyTags: { tags: ['renamed'] },
      mergeCompanies: { merge_ids: [bystander.id] },
      unmergeCompany: { company_id: bystander.id },
    };
    const ofCompany = routes.filter((route) => route.path.startsWith('/companies/{id}'));
    expect(ofCompany.length).toBeGreaterThanOrEqual(14);
    for (const route of ofCompany) {
      const needsBody = route.body?.required === true;
      if (needsBody) expect(bodies, `a body for ${route.operationId}`).toHaveProperty(route.operationId);
      const answered = await api.call({
        method: route.method,
        path: `${BASE}${route.path.replace('{id}', loser.id)}`,
        ...(needsBody && { body: bodies[route.operationId] }),
      });
      expect([answered.status, answered.body.error], `${route.method} ${route.path}`).toEqual([
        404,
        expect.objectContaining({ code: 'COMPANY.MERGED', details: { merged_into: survivor.id } }),
      ]);
      expect(route.errors, `${route.operationId} declares it`).toContain('COMPANY.MERGED');
    }
    // Nothing was written to the loser: it is still exactly as the merge left it.
    const { rows } = await sql<{ name: string; tags: unknown; deleted: boolean }>`
      select name, tags, deleted_at is not null as deleted from customer_mgmt_companies where id = cast(${loser.id} as uuid)`.execute(
      database.db,
    );
    expect(rows[0]).toMatchObject({ name: expect.not.stringMatching('Renamed'), deleted: true });
  });

  it('a loser’s external id stays reserved to the survivor: an upsert by it updates the survivor, a create with it is refused; unmerge gives it back', async () => {
    const [mine, theirs] = [`crm-${unique()}`, `crm-${unique()}`];
    const survivor = await company({ external_id: mine });
    const loser = await company({ external_id: theirs });
    expect((await post(`/companies/${survivor.id}/merge`, { merge_ids: [loser.id] })).status).toBe(200);
    const upsert = (name: string) => post('/companies/batch/upsert', { match_on: 'external_id', inputs: [{ external_id: theirs, name }] });
    const synced = await upsert('Synced via the loser');
    expect(synced.status, JSON.stringify(synced.body)).toBe(200);
    expect(synced.body.data.results[0]).toMatchObject({ status: 'updated', id: survivor.id });
    expect(synced.body.data.results[0].record).toMatchObject({ name: 'Synced via the loser', external_id: mine });
    const copy = await post('/companies', { name: 'Copy', external_id: theirs });
    expect(copy.status).toBe(409);
    expect(copy.body.error).toMatchObject({ code: 'COMPANY.EXTERNAL_ID_TAKEN', details: { existing_company_id: survivor.id } });

    expect((await post(`/companies/${survivor.id}/unmerge`, { company_id: loser.id })).status).toBe(200);
    expect((await get(`/companies/${loser.id}`)).body.data.external_id).toBe(theirs);
    expect((await get(`/companies/${survivor.id}`)).body.data.external_id).toBe(mine);
    const back = await upsert('The loser again');
    expect(back.body.data.results[0]).toMatchObject({ status: 'updated', id: loser.id });
  });
});
