import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, steppingClock, type ApiHarness } from '../support/api-harness.js';

const REP = randomUUID();
const OTHER_REP = randomUUID();

describe.each(availableDialects())('companies through the API on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2025-03-01T00:00:00.000Z'));
    await api.registerSalesRep(REP);
    await api.registerSalesRep(OTHER_REP);
  });
  afterAll(() => database.close());

  async function company(body: Record<string, unknown>, claims?: Record<string, string>) {
    const response = await api.call({ method: 'POST', path: `${BASE}/companies`, body, ...(claims && { claims }) });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data as Record<string, any>;
  }

  it('creates with normalised fields, answers 201 with Location and ETag, and reads it back (304 on If-None-Match)', async () => {
    const created = await api.call({
      method: 'POST',
      path: `${BASE}/companies`,
      body: {
        name: '  Acme Ltd ',
        domain: 'https://www.ACME-create.example:443/about?x=1',
        domain_aliases: ['acme-create.co.uk', 'ACME-CREATE.CO.UK', 'münchen-acme.example'],
        industry: ' Financial-Services ',
        size_band: '51-200',
        country: 'gb',
        phone: '+44 20 7946 0958',
        website: 'acme-create.example/home',
        owner_id: REP,
        tags: ['Enterprise', 'emea'],
        external_id: 'sf-001',
      },
    });
    expect(created.status).toBe(201);
    const data = created.body.data;
    expect(data).toEqual({
      id: expect.any(String),
      name: 'Acme Ltd',
      domain: 'acme-create.example',
      domain_aliases: ['acme-create.co.uk', 'xn--mnchen-acme-thb.example'],
      industry: 'financial-services',
      size_band: '51-200',
      country: 'GB',
      phone: '+442079460958',
      website: 'https://acme-create.example/home',
      owner_id: REP,
      tags: ['enterprise', 'emea'],
      parent_company_id: null,
      external_id: 'sf-001',
      version: 1,
      created_at: '2025-03-01T00:00:00.000Z',
      updated_at: '2025-03-01T00:00:00.000Z',
      last_interaction_at: null,
    });
    expect(created.headers.location).toBe(`${BASE}/companies/${data.id}`);
    expect(created.headers.etag).toBe('"1"');
    const read = await api.call({ method: 'GET', path: `${BASE}/companies/${data.id}` });
    expect(read.body.data).toEqual(data);
    expect((await api.call({ method: 'GET', path: `${BASE}/companies/${data.id}`, headers: { 'if-none-match': '"1"' } })).status).toBe(304);
    const byAlias = await api.call({
      method: 'GET',
      path: `${BASE}/companies/domain/${encodeURIComponent('http://MÜNCHEN-acme.example/x')}`,
    });
    expect(byAlias.body.data.id).toBe(data.id);
  });

  it('refuses bad input with VALIDATION_FAILED naming every field, and leaves nothing behind', async () => {
    const response = await api.call({
      method: 'POST',
      path: `${BASE}/companies`,
      body: {
        name: ' ',
        domain: 'localhost',
        domain_aliases: ['ok-alias.example', 'not a domain'],
        industry: 'Fin Tech',
        country: 'XX',
        phone: '123',
        website: 'ftp://x.example',
        tags: ['bad tag'],
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details.fields.map((field: { field: string }) => field.field)).toEqual([
      'name',
      'domain',
      'domain_aliases',
      'industry',
      'country',
      'phone',
      'website',
      'tags',
    ]);
    expect((await api.call({ method: 'GET', path: `${BASE}/companies/domain/ok-alias.example` })).status).toBe(404);
  });

  it('409 DOMAIN_TAKEN names the company that holds the domain; 409 EXTERNAL_ID_TAKEN likewise', async () => {
    const holder = await company({ name: 'Holder', domain: 'taken.example', external_id: 'ext-taken' });
    const clash = await api.call({
      method: 'POST',
      path: `${BASE}/companies`,
      body: { name: 'Clash', domain_aliases: ['WWW.TAKEN.EXAMPLE'] },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({
      code: 'COMPANY.DOMAIN_TAKEN',
      details: { field: 'domain_aliases', domains: ['taken.example'], existing_company_id: holder.id },
    });
    const other = await company({ name: 'Other' });
    const moved = await api.call({ method: 'PUT', path: `${BASE}/companies/${other.id}`, body: { external_id: 'ext-taken' } });
    expect(moved.status).toBe(409);
    expect(moved.body.error).toMatchObject({ code: 'COMPANY.EXTERNAL_ID_TAKEN', details: { existing_company_id: holder.id } });
    expect((await api.call({ method: 'GET', path: `${BASE}/companies/${other.id}` })).body.data.version).toBe(1);
  });

  it('updates with If-Match, assigns, replaces tags; each change is one event in the history, oldest first', async () => {
    const created = await company({ name: 'Changer' });
    const path = `${BASE}/companies/${created.id}`;
    const stale = await api.call({ method: 'PUT', path, body: { name: 'X' }, headers: { 'if-match': '"7"' } });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'COMPANY.VERSION_MISMATCH', details: { current_version: 1 } });
    const updated = await api.call({ method: 'PUT', path, body: { name: 'Changer GmbH', country: 'de' }, headers: { 'if-match': '"1"' } });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ name: 'Changer GmbH', country: 'DE', version: 2 });
    expect(updated.headers.etag).toBe('"2"');
    const hint = await api.call({ method: 'PUT', path, body: { owner_id: REP } });
    expect(hint.status).toBe(400);
    expect(JSON.stringify(hint.body.error)).toContain('PUT /companies/{id}/assign');
    expect((await api.call({ method: 'PUT', path: `${path}/assign`, body: { owner_id: REP } })).body.data.owner_id).toBe(REP);
    const unknownRep = await api.call({ method: 'PUT', path: `${path}/assign`, body: { owner_id: randomUUID() } });
    expect(unknownRep.status).toBe(422);
    expect(unknownRep.body.error.code).toBe('COMPANY.UNKNOWN_SALES_REP');
    expect((await api.call({ method: 'PUT', path: `${path}/tags`, body: { tags: ['b', 'a'] } })).body.data.tags).toEqual(['b', 'a']);
    expect((await api.call({ method: 'PUT', path: `${path}/tags`, body: { tags: ['a', 'b'] } })).body.data.version).toBe(4);
    const history = await api.call({ method: 'GET', path: `${path}/history?limit=3` });
    expect(history.body.data.map((event: { event_type: string }) => event.event_type)).toEqual([
      'CompanyCreated',
      'CompanyUpdated',
      'CompanyAssigned',
    ]);
    const rest = await api.call({ method: 'GET', path: `${path}/history?after=${history.body.pagination.next_cursor}` });
    expect(rest.body.data.map((event: { event_type: string }) => event.event_type)).toEqual(['CompanyTagsChanged']);
    expect(rest.body.pagination.next_cursor).toBeNull();
    expect(history.body.data[1].data.changes).toEqual({
      name: { from: 'Changer', to: 'Changer GmbH' },
      country: { from: null, to: 'DE' },
    });
  });

  it('lists with every filter and a keyset cursor', async () => {
    const parent = await company({ name: 'List Parent', industry: 'retail' });
    const names = ['List Alpha', 'List Beta', 'List Gamma', 'List Delta'];
    for (const [index, name] of names.entries()) {
      await company({
        name,
        domain: `list-${index}.example`,
        industry: index % 2 === 0 ? 'software' : 'retail',
        size_band: index < 2 ? '1-10' : '5001+',
        country: index === 3 ? 'FR' : 'DE',
        tags: index === 0 ? ['vip', 'new'] : ['new'],
        owner_id: index === 2 ? REP : null,
        parent_company_id: index === 1 ? parent.id : null,
      });
    }
    const list = async (query: string) => {
      const response = await api.call({ method: 'GET', path: `${BASE}/companies?${query}` });
      expect(response.status, `${query}: ${JSON.stringify(response.body)}`).toBe(200);
      return response.body.data.map((item: { name: string }) => item.name);
    };
    expect(await list('q=list&sort=name')).toEqual(['List Alpha', 'List Beta', 'List Delta', 'List Gamma', 'List Parent']);
    expect(await list('q=LIST-2.EX')).toEqual(['List Gamma']);
    expect(await list('domain=https://www.list-1.example/')).toEqual(['List Beta']);
    expect(await list('q=list&industry=software&sort=name')).toEqual(['List Alpha', 'List Gamma']);
    expect(await list('q=list&size_band=5001%2B&country=fr')).toEqual(['List Delta']);
    expect(await list(`owner_id=${REP}&q=list`)).toEqual(['List Gamma']);
    expect(await list('q=list&tag=vip')).toEqual(['List Alpha']);
    expect(await list('q=list&tags_all=new,vip')).toEqual(['List Alpha']);
    expect(await list(`parent_company_id=${parent.id}`)).toEqual(['List Beta']);
    expect(await list('q=list&created_from=2025-03-01&created_to=2099-01-01&sort=-name&limit=2')).toEqual(['List Parent', 'List Gamma']);
    const pages: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const response = await api.call({
        method: 'GET',
        path: `${BASE}/companies?q=list&sort=name&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      });
      pages.push(...response.body.data.map((item: { name: string }) => item.name));
      cursor = response.body.pagination.next_cursor;
    }
    expect(pages).toEqual(['List Alpha', 'List Beta', 'List Delta', 'List Gamma', 'List Parent']);
    const wrongSort = await api.call({
      method: 'GET',
      path: `${BASE}/companies?q=list&sort=name&limit=1`,
    });
    const mixed = await api.call({ method: 'GET', path: `${BASE}/companies?sort=-name&cursor=${wrongSort.body.pagination.next_cursor}` });
    expect(mixed.status).toBe(400);
  });

  it('contacts, subsidiaries (direct and the whole tree) and the summary in one statement', async () => {
    const group = await company({ name: 'Summary Group', domain: 'summary-group.example' });
    const child = await company({ name: 'Summary Child', parent_company_id: group.id });
    const grandchild = await company({ name: 'Summary Grandchild', parent_company_id: child.id });
    const contact = async (companyId: string, extra: Record<string, unknown> = {}) => {
      const response = await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: newCustomerBody({ company_id: companyId, ...extra }),
      });
      expect(response.status).toBe(201);
      return response.body.data.id as string;
    };
    const first = await contact(group.id, { name: 'Ann Group' });
    await contact(group.id, { name: 'Bob Group', tags: ['vip'] });
    await api.call({ method: 'POST', path: `${BASE}/customers/${first}/qualify` });
    await contact(grandchild.id, { name: 'Cid Grandchild' });
    const contacts = await api.call({ method: 'GET', path: `${BASE}/companies/${group.id}/contacts?sort=name` });
    expect(contacts.body.data.map((item: { name: string }) => item.name)).toEqual(['Ann Group', 'Bob Group']);
    expect((await api.call({ method: 'GET', path: `${BASE}/companies/${group.id}/contacts?tag=vip` })).body.data).toHaveLength(1);
    const direct = await api.call({ method: 'GET', path: `${BASE}/companies/${group.id}/subsidiaries` });
    expect(direct.body.data.map((item: { id: string }) => item.id)).toEqual([child.id]);
    const tree = await api.call({ method: 'GET', path: `${BASE}/companies/${group.id}/subsidiaries?depth=all&sort=name&limit=1` });
    expect(tree.body.data.map((item: { id: string }) => item.id)).toEqual([child.id]);
    const next = await api.call({
      method: 'GET',
      path: `${BASE}/companies/${group.id}/subsidiaries?depth=all&sort=name&limit=1&cursor=${tree.body.pagination.next_cursor}`,
    });
    expect(next.body.data.map((item: { id: string }) => item.id)).toEqual([grandchild.id]);
    const own = await api.call({ method: 'GET', path: `${BASE}/companies/${group.id}/summary` });
    expect(own.body.data).toEqual({
      company_id: group.id,
      include_subsidiaries: false,
      companies: 1,
      contacts: 2,
      contacts_by_status: { lead: 1, prospect: 1 },
      purchases: [],
      deals: [],
    });
    const whole = await api.call({ method: 'GET', path: `${BASE}/companies/${group.id}/summary?include_subsidiaries=true` });
    expect(whole.body.data).toMatchObject({ companies: 3, contacts: 3, contacts_by_status: { lead: 2, prospect: 1 } });
    expect((await api.call({ method: 'GET', path: `${BASE}/companies/${randomUUID()}/summary` })).status).toBe(404);
  });

  it('delete: 409 HAS_CONTACTS with the count; ?detach_contacts=true clears them with CustomerUpdated; then the company is gone', async () => {
    const doomed = await company({ name: 'Doomed', domain: 'doomed.example' });
    const contacts = [];
    for (let index = 0; index < 3; index++) {
      contacts.push(
        (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ company_id: doomed.id }) })).body.data.id,
      );
    }
    const refused = await api.call({ method: 'DELETE', path: `${BASE}/companies/${doomed.id}` });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'COMPANY.HAS_CONTACTS', details: { contact_count: 3 } });
    const detached = await api.call({ method: 'DELETE', path: `${BASE}/companies/${doomed.id}?detach_contacts=true` });
    expect(detached.status).toBe(204);
    for (const id of contacts) {
      const contact = (await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data;
      expect(contact).toMatchObject({ company_id: null, version: 2 });
      const history = (await api.call({ method: 'GET', path: `${BASE}/customers/${id}/history` })).body.data;
      expect(history.at(-1)).toMatchObject({
        event_type: 'CustomerUpdated',
        data: { changes: { company_id: { from: doomed.id, to: null } } },
      });
      // Made by the database, yet a UUID v7 like every other event id, its time the event's.
      const { event_id: eventId, occurred_at: occurredAt } = history.at(-1);
      expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(eventId.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse(occurredAt));
    }
    expect((await api.call({ method: 'GET', path: `${BASE}/companies/${doomed.id}` })).status).toBe(404);
    expect((await api.call({ method: 'GET', path: `${BASE}/companies/domain/doomed.example` })).status).toBe(404);
    expect((await api.call({ method: 'DELETE', path: `${BASE}/companies/${doomed.id}` })).status).toBe(404);
    await company({ name: 'Reborn', domain: 'doomed.example' });
  });

  it('hierarchy errors: unknown parent 422, cycle 409, delete of a parent 409 HAS_SUBSIDIARIES', async () => {
    const unknown = await api.call({
      method: 'POST',
      path: `${BASE}/companies`,
      body: { name: 'Orphan', parent_company_id: randomUUID() },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('COMPANY.UNKNOWN_PARENT');
    const top = await company({ name: 'Top' });
    const below = await company({ name: 'Below', parent_company_id: top.id });
    const cycle = await api.call({ method: 'PUT', path: `${BASE}/companies/${top.id}`, body: { parent_company_id: below.id } });
    expect(cycle.status).toBe(409);
    expect(cycle.body.error).toMatchObject({ code: 'COMPANY.HIERARCHY_CYCLE', details: { parent_company_id: below.id } });
    const parentDelete = await api.call({ method: 'DELETE', path: `${BASE}/companies/${top.id}` });
    expect(parentDelete.status).toBe(409);
    expect(parentDelete.body.error).toMatchObject({ code: 'COMPANY.HAS_SUBSIDIARIES', details: { subsidiary_count: 1 } });
  });

  describe('every role', () => {
    const as = (role: string, sub = randomUUID()) => claimsFor([role], sub);

    it('admin and manager do everything; service all but assign and delete; viewer only reads', async () => {
      const expectations: Record<string, Record<string, boolean>> = {
        admin: { create: true, read: true, update: true, tags: true, assign: true, delete: true },
        manager: { create: true, read: true, update: true, tags: true, assign: true, delete: true },
        service: { create: true, read: true, update: true, tags: true, assign: false, delete: false },
        viewer: { create: false, read: true, update: false, tags: false, assign: false, delete: false },
      };
      for (const [role, allowed] of Object.entries(expectations)) {
        const target = await company({ name: `For ${role}` });
        const path = `${BASE}/companies/${target.id}`;
        const outcomes: Record<string, boolean> = {
          create:
            (await api.call({ method: 'POST', path: `${BASE}/companies`, body: { name: 'By role' }, claims: as(role) })).status === 201,
          read: (await api.call({ method: 'GET', path, claims: as(role) })).status === 200,
          update: (await api.call({ method: 'PUT', path, body: { name: 'Renamed' }, claims: as(role) })).status === 200,
          tags: (await api.call({ method: 'PUT', path: `${path}/tags`, body: { tags: ['x'] }, claims: as(role) })).status === 200,
          assign: (await api.call({ method: 'PUT', path: `${path}/assign`, body: { owner_id: REP }, claims: as(role) })).status === 200,
          delete: (await api.call({ method: 'DELETE', path, claims: as(role) })).status === 204,
        };
        expect(outcomes, role).toEqual(allowed);
      }
    });

    it('a sales rep owns what they create, changes only their own, and reads the companies of their customers', async () => {
      const rep = as('sales_rep', REP);
      const mine = await company({ name: 'Rep Own' }, rep);
      expect(mine.owner_id).toBe(REP);
      const forbidden = await api.call({
        method: 'POST',
        path: `${BASE}/companies`,
        body: { name: 'For other', owner_id: OTHER_REP },
        claims: rep,
      });
      expect(forbidden.status).toBe(403);
      const theirs = await company({ name: 'Rep Other', owner_id: OTHER_REP });
      const viaContact = await company({ name: 'Rep Via Contact', owner_id: OTHER_REP });
      await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ company_id: viaContact.id, assigned_to: REP }) });
      const read = async (id: string) => (await api.call({ method: 'GET', path: `${BASE}/companies/${id}`, claims: rep })).status;
      expect([await read(mine.id), await read(theirs.id), await read(viaContact.id)]).toEqual([200, 404, 200]);
      const listed = await api.call({ method: 'GET', path: `${BASE}/companies?q=rep&sort=name`, claims: rep });
      expect(listed.body.data.map((item: { name: string }) => item.name)).toEqual(['Rep Own', 'Rep Via Contact']);
      const change = async (id: string) =>
        (await api.call({ method: 'PUT', path: `${BASE}/companies/${id}`, body: { industry: 'retail' }, claims: rep })).status;
      expect([await change(mine.id), await change(theirs.id), await change(viaContact.id)]).toEqual([200, 404, 404]);
      expect((await api.call({ method: 'GET', path: `${BASE}/companies/${viaContact.id}/summary`, claims: rep })).status).toBe(200);
      expect((await api.call({ method: 'GET', path: `${BASE}/companies/${theirs.id}/history`, claims: rep })).status).toBe(404);
      expect((await api.call({ method: 'DELETE', path: `${BASE}/companies/${mine.id}`, claims: rep })).status).toBe(403);
      const giveAway = await api.call({
        method: 'PUT',
        path: `${BASE}/companies/${mine.id}/assign`,
        body: { owner_id: OTHER_REP },
        claims: rep,
      });
      expect(giveAway.status).toBe(403);
    });
  });
});
