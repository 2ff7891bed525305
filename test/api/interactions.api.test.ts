import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../functions/auth/permissions.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { ADMIN_ID, BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

const REP_A = randomUUID();
const REP_B = randomUUID();
const as = (role: string, sub = randomUUID()) => claimsFor([role], sub);

const call = (customerId: string, overrides: Record<string, unknown> = {}) => ({
  type: 'call',
  occurred_at: '2025-12-01T10:00:00Z',
  direction: 'outbound',
  outcome: 'connected',
  duration_s: 720,
  subject: 'Renewal',
  body: 'They will renew.\nSend the quote.',
  links: { customer_ids: [customerId] },
  ...overrides,
});

describe.each(availableDialects())('interactions on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    await api.registerSalesRep(REP_A);
    await api.registerSalesRep(REP_B);
  });
  afterAll(() => database.close());

  const customer = async (overrides: Record<string, unknown> = {}) =>
    (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody(overrides) })).body.data as {
      id: string;
      email: string;
    };
  const log = (body: Record<string, unknown>, claims?: Record<string, unknown>) =>
    api.call({ method: 'POST', path: `${BASE}/interactions`, body, ...(claims && { claims }) });
  const lastInteractionAt = async (id: string) =>
    (await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data.last_interaction_at;
  const rowCounts = async () =>
    (
      await sql<{ interactions: string; links: string; events: string }>`select
        (select count(*) from customer_mgmt_interactions) as interactions,
        (select count(*) from customer_mgmt_interaction_links) as links,
        (select count(*) from customer_mgmt_events where aggregate_type = 'interaction') as events`.execute(database.db)
    ).rows[0];

  it('logs a call: 201 with the whole interaction, Location and ETag; the customer shows last_interaction_at and a new ETag', async () => {
    const { id } = await customer();
    const before = await api.call({ method: 'GET', path: `${BASE}/customers/${id}` });
    const response = await log(call(id));
    expect(response.status).toBe(201);
    expect(response.body.data).toEqual({
      id: expect.any(String),
      type: 'call',
      occurred_at: '2025-12-01T10:00:00.000Z',
      direction: 'outbound',
      subject: 'Renewal',
      body: 'They will renew.\nSend the quote.',
      duration_s: 720,
      outcome: 'connected',
      participants: [],
      links: { customer_ids: [id], company_id: null, deal_ids: [] },
      owner_id: ADMIN_ID,
      source: 'manual',
      external_id: null,
      version: 1,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(response.headers.location).toBe(`${BASE}/interactions/${response.body.data.id}`);
    expect(response.headers.etag).toBe('"1"');
    const after = await api.call({ method: 'GET', path: `${BASE}/customers/${id}` });
    expect(after.body.data.last_interaction_at).toBe('2025-12-01T10:00:00.000Z');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect((await api.call({ method: 'GET', path: `${BASE}/interactions/${response.body.data.id}` })).body.data).toEqual(
      response.body.data,
    );
  });

  it('InteractionLogged carries ids, type, time, outcome and links, never subject, body or participant emails', async () => {
    const { id } = await customer();
    const logged = await log(call(id, { participants: [{ email: 'outsider@example.org', name: 'Out Sider' }] }));
    const { rows } = await sql<{ data: unknown }>`select data from customer_mgmt_events
      where aggregate_type = 'interaction' and aggregate_id = cast(${logged.body.data.id} as uuid)`.execute(database.db);
    const data = typeof rows[0]!.data === 'string' ? JSON.parse(rows[0]!.data) : rows[0]!.data;
    expect(data.interaction).toMatchObject({ id: logged.body.data.id, type: 'call', outcome: 'connected', links: { customer: [id] } });
    expect(JSON.stringify(data)).not.toMatch(/Renewal|renew|outsider|Out Sider/);
  });

  it('the same source and external_id again answers the existing interaction with 200 and writes nothing', async () => {
    const { id } = await customer();
    const first = await log(
      call(id, { source: 'email_sync', external_id: '<msg-1@mail.example.com>', type: 'email', outcome: null, duration_s: null }),
    );
    expect(first.status).toBe(201);
    const counts = await rowCounts();
    const again = await log(
      call(id, {
        source: 'email_sync',
        external_id: '<msg-1@mail.example.com>',
        type: 'email',
        outcome: null,
        duration_s: null,
        subject: 'other',
      }),
    );
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(first.body.data);
    expect(await rowCounts()).toEqual(counts);
    const otherSource = await log(call(id, { source: 'import', external_id: '<msg-1@mail.example.com>' }));
    expect(otherSource.status).toBe(201);
  });

  it('an external id of a deleted interaction is 409, not logged again', async () => {
    const { id } = await customer();
    const first = await log(call(id, { source: 'phone_system', external_id: 'cdr-deleted' }));
    expect((await api.call({ method: 'DELETE', path: `${BASE}/interactions/${first.body.data.id}` })).status).toBe(204);
    const again = await log(call(id, { source: 'phone_system', external_id: 'cdr-deleted' }));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'INTERACTION.EXTERNAL_ID_TAKEN', details: { field: 'external_id' } });
  });

  it('participants: an email of a live customer links it and says so; unknown emails stay people; ids link customers', async () => {
    const known = await customer();
    const named = await customer();
    const response = await log({
      type: 'meeting',
      occurred_at: '2025-11-20T15:00:00Z',
      outcome: 'completed',
      participants: [
        { email: known.email.toUpperCase(), name: 'Known' },
        { email: 'guest@example.org', name: 'Guest' },
        { customer_id: named.id },
      ],
    });
    expect(response.status).toBe(201);
    expect(response.body.data.participants).toEqual([
      { customer_id: known.id, email: known.email, name: 'Known', matched_by: 'email' },
      { customer_id: null, email: 'guest@example.org', name: 'Guest', matched_by: null },
      { customer_id: named.id, email: null, name: null, matched_by: 'id' },
    ]);
    expect(response.body.data.links.customer_ids).toEqual([known.id, named.id].sort());
    expect(await lastInteractionAt(known.id)).toBe('2025-11-20T15:00:00.000Z');
  });

  it('last_interaction_at never moves back for a late, older interaction; an edit or a delete recomputes it; scheduled meetings do not count', async () => {
    const { id } = await customer();
    const newest = await log(call(id, { occurred_at: '2025-12-10T10:00:00Z' }));
    const older = await log(call(id, { occurred_at: '2025-12-01T10:00:00Z' }));
    expect(await lastInteractionAt(id)).toBe('2025-12-10T10:00:00.000Z');
    const future = new Date(Date.now() + 7 * 86_400_000).toISOString();
    expect((await log({ type: 'meeting', occurred_at: future, outcome: 'scheduled', links: { customer_ids: [id] } })).status).toBe(201);
    expect(await lastInteractionAt(id)).toBe('2025-12-10T10:00:00.000Z');
    const moved = await api.call({
      method: 'PUT',
      path: `${BASE}/interactions/${newest.body.data.id}`,
      body: { occurred_at: '2025-11-01T00:00:00Z' },
    });
    expect(moved.status).toBe(200);
    expect(await lastInteractionAt(id)).toBe('2025-12-01T10:00:00.000Z');
    expect((await api.call({ method: 'DELETE', path: `${BASE}/interactions/${older.body.data.id}` })).status).toBe(204);
    expect(await lastInteractionAt(id)).toBe('2025-11-01T00:00:00.000Z');
    expect((await api.call({ method: 'DELETE', path: `${BASE}/interactions/${newest.body.data.id}` })).status).toBe(204);
    expect(await lastInteractionAt(id)).toBeNull();
    expect((await api.call({ method: 'GET', path: `${BASE}/interactions/${older.body.data.id}` })).status).toBe(404);
  });

  it('refuses what breaks the type rules, naming every field, and writes nothing', async () => {
    const { id } = await customer();
    const counts = await rowCounts();
    const cases: [Record<string, unknown>, string[]][] = [
      [call(id, { type: 'note' }), ['direction', 'duration_s', 'outcome']],
      [call(id, { direction: undefined }), ['direction']],
      [call(id, { outcome: 'completed' }), ['outcome']],
      [call(id, { occurred_at: new Date(Date.now() + 86_400_000).toISOString() }), ['occurred_at']],
      [call(id, { links: {} }), ['links']],
      [call(id, { subject: 'x'.repeat(501) }), ['subject']],
      [call(id, { duration_s: 90_000 }), ['duration_s']],
      [call(id, { type: 'fax' }), ['type']],
    ];
    for (const [body, fields] of cases) {
      const response = await log(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(response.body.error.details.fields.map((issue: { field: string }) => issue.field).sort(), JSON.stringify(body)).toEqual(
        fields,
      );
    }
    expect(await rowCounts()).toEqual(counts);
  });

  it('a link to a missing or deleted customer is 404 CUSTOMER.NOT_FOUND naming it, and writes nothing', async () => {
    const live = await customer();
    const gone = await customer();
    await api.call({ method: 'DELETE', path: `${BASE}/customers/${gone.id}` });
    const counts = await rowCounts();
    for (const missing of [gone.id, randomUUID()]) {
      const response = await log(call(live.id, { links: { customer_ids: [live.id, missing] } }));
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({ code: 'CUSTOMER.NOT_FOUND', details: { field: 'links.customer_ids', id: missing } });
    }
    expect(await rowCounts()).toEqual(counts);
    expect(await lastInteractionAt(live.id)).toBeNull();
  });

  it('PUT changes with If-Match; a stale tag is 412; fixed fields are refused with a hint', async () => {
    const { id } = await customer();
    const logged = (await log(call(id))).body.data;
    const changed = await api.call({
      method: 'PUT',
      path: `${BASE}/interactions/${logged.id}`,
      headers: { 'if-match': '"1"' },
      body: { outcome: 'left_voicemail', subject: 'Voicemail' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ outcome: 'left_voicemail', subject: 'Voicemail', version: 2 });
    expect(changed.headers.etag).toBe('"2"');
    const stale = await api.call({
      method: 'PUT',
      path: `${BASE}/interactions/${logged.id}`,
      headers: { 'if-match': '"1"' },
      body: { outcome: 'busy' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'INTERACTION.VERSION_MISMATCH', details: { current_version: 2 } });
    const fixed = await api.call({ method: 'PUT', path: `${BASE}/interactions/${logged.id}`, body: { links: { customer_ids: [] } } });
    expect(fixed.status).toBe(400);
    expect(fixed.body.error.message).toContain('fixed when the interaction is logged');
    const typeChange = await api.call({ method: 'PUT', path: `${BASE}/interactions/${logged.id}`, body: { type: 'email' } });
    expect(typeChange.status).toBe(400);
    expect(typeChange.body.error.details.fields.map((issue: { field: string }) => issue.field)).toEqual(['duration_s', 'outcome']);
    const { rows } = await sql<{ data: unknown }>`select data from customer_mgmt_events
      where aggregate_type = 'interaction' and aggregate_id = cast(${logged.id} as uuid) and aggregate_version = 2`.execute(database.db);
    const data = typeof rows[0]!.data === 'string' ? JSON.parse(rows[0]!.data) : rows[0]!.data;
    expect(data.changes).toEqual({ outcome: { from: 'connected', to: 'left_voicemail' }, subject: { changed: true } });
  });

  it('lists newest first with filters, a page at a time, each once', async () => {
    const { id } = await customer();
    const times = Array.from({ length: 7 }, (_, index) => new Date(Date.UTC(2025, 5, 1 + index)).toISOString());
    for (const [index, at] of times.entries()) {
      await log(
        index % 2 === 0
          ? call(id, { occurred_at: at, subject: `Call ${index}` })
          : { type: 'note', occurred_at: at, subject: `Note ${index}`, links: { customer_ids: [id] } },
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.call({
        method: 'GET',
        path: `${BASE}/interactions?customer_id=${id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((item: { occurred_at: string }) => item.occurred_at));
      cursor = page.body.pagination.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...times].reverse());
    const notes = await api.call({ method: 'GET', path: `${BASE}/interactions?customer_id=${id}&type=note` });
    expect(notes.body.data.map((item: { subject: string }) => item.subject)).toEqual(['Note 5', 'Note 3', 'Note 1']);
    const searched = await api.call({ method: 'GET', path: `${BASE}/interactions?customer_id=${id}&q=call%204` });
    expect(searched.body.data.map((item: { subject: string }) => item.subject)).toEqual(['Call 4']);
    const ranged = await api.call({
      method: 'GET',
      path: `${BASE}/interactions?customer_id=${id}&occurred_from=2025-06-02&occurred_to=2025-06-04`,
    });
    expect(ranged.body.data).toHaveLength(2);
    const outcome = await api.call({
      method: 'GET',
      path: `${BASE}/interactions?customer_id=${id}&outcome=connected&direction=outbound&owner_id=${ADMIN_ID}`,
    });
    expect(outcome.body.data).toHaveLength(4);
  });

  describe('roles', () => {
    let own: { id: string };
    let others: { id: string };
    let ownInteraction: string;
    let othersInteraction: string;
    let sharedByOther: string;
    beforeAll(async () => {
      own = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody(), claims: as('sales_rep', REP_A) })).body
        .data;
      others = await customer({ assigned_to: REP_B });
      ownInteraction = (await log(call(own.id), as('sales_rep', REP_A))).body.data.id;
      othersInteraction = (await log(call(others.id), as('sales_rep', REP_B))).body.data.id;
      // Logged by rep B on rep A's customer: A sees it (it is about A's customer) but may not change it.
      sharedByOther = (
        await log({ type: 'note', occurred_at: '2025-10-01T00:00:00Z', links: { customer_ids: [own.id] } }, as('manager', REP_B))
      ).body.data.id;
    });

    it('every role on every interaction route: allowed roles act, viewers read, others get 403', async () => {
      const { id } = await customer();
      for (const role of ROLES) {
        const claims = as(role);
        const logged = await log(call(id, { owner_id: REP_A }), claims);
        const canLog = ['admin', 'manager', 'service'].includes(role);
        if (role === 'sales_rep')
          expect(logged.status, role).toBe(403); // not their customer's owner field: owner_id must be themselves
        else expect(logged.status, role).toBe(canLog ? 201 : 403);
        const target = canLog ? logged.body.data.id : ownInteraction;
        const read = await api.call({ method: 'GET', path: `${BASE}/interactions/${target}`, claims });
        expect(read.status, role).toBe(role === 'sales_rep' ? 404 : 200);
        const list = await api.call({ method: 'GET', path: `${BASE}/interactions?customer_id=${id}`, claims });
        expect(list.status, role).toBe(200);
        const put = await api.call({ method: 'PUT', path: `${BASE}/interactions/${target}`, body: { subject: 'Edited' }, claims });
        expect(put.status, role).toBe(['admin', 'manager'].includes(role) ? 200 : role === 'sales_rep' ? 404 : 403);
        const timeline = await api.call({ method: 'GET', path: `${BASE}/customers/${id}/timeline`, claims });
        expect(timeline.status, role).toBe(role === 'sales_rep' ? 404 : 200);
        const removed = await api.call({ method: 'DELETE', path: `${BASE}/interactions/${target}`, claims });
        expect(removed.status, role).toBe(['admin', 'manager'].includes(role) ? 204 : role === 'sales_rep' ? 404 : 403);
      }
    });

    it('a sales rep logs only on their own customers (another rep’s is 404) and owns what they log', async () => {
      const mine = await log(call(own.id), as('sales_rep', REP_A));
      expect(mine.status).toBe(201);
      expect(mine.body.data.owner_id).toBe(REP_A);
      const theirs = await log(call(others.id), as('sales_rep', REP_A));
      expect(theirs.status).toBe(404);
      expect(theirs.body.error.code).toBe('CUSTOMER.NOT_FOUND');
      const ownerForOther = await log(call(own.id, { owner_id: REP_B }), as('sales_rep', REP_A));
      expect(ownerForOther.status).toBe(403);
      expect(ownerForOther.body.error.details).toMatchObject({ field: 'owner_id', allowed_value: REP_A });
    });

    it('a sales rep matching an email of another rep’s customer does not link it (nor learn of it)', async () => {
      const response = await log(
        {
          type: 'note',
          occurred_at: '2025-10-02T00:00:00Z',
          links: { customer_ids: [own.id] },
          participants: [{ email: (await api.call({ method: 'GET', path: `${BASE}/customers/${others.id}` })).body.data.email }],
        },
        as('sales_rep', REP_A),
      );
      expect(response.status).toBe(201);
      expect(response.body.data.participants[0]).toMatchObject({ customer_id: null, matched_by: null });
      expect(response.body.data.links.customer_ids).toEqual([own.id]);
    });

    it('a sales rep reads interactions they own or that link their customers; others are 404 and absent from lists', async () => {
      const rep = as('sales_rep', REP_A);
      expect((await api.call({ method: 'GET', path: `${BASE}/interactions/${ownInteraction}`, claims: rep })).status).toBe(200);
      expect((await api.call({ method: 'GET', path: `${BASE}/interactions/${sharedByOther}`, claims: rep })).status).toBe(200);
      const hidden = await api.call({ method: 'GET', path: `${BASE}/interactions/${othersInteraction}`, claims: rep });
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.code).toBe('INTERACTION.NOT_FOUND');
      const listed = await api.call({ method: 'GET', path: `${BASE}/interactions?limit=100`, claims: rep });
      const ids = listed.body.data.map((item: { id: string }) => item.id);
      expect(ids).toEqual(expect.arrayContaining([ownInteraction, sharedByOther]));
      expect(ids).not.toContain(othersInteraction);
      expect((await api.call({ method: 'GET', path: `${BASE}/interactions?customer_id=${others.id}`, claims: rep })).body.data).toEqual([]);
    });

    it('a sales rep changes and deletes only what they own: a visible one they do not own is 403, an invisible one 404', async () => {
      const rep = as('sales_rep', REP_A);
      const edit = (id: string) =>
        api.call({ method: 'PUT', path: `${BASE}/interactions/${id}`, body: { subject: 'Mine now' }, claims: rep });
      expect((await edit(ownInteraction)).status).toBe(200);
      const notOwner = await edit(sharedByOther);
      expect(notOwner.status).toBe(403);
      expect(notOwner.body.error.code).toBe('INTERACTION.NOT_OWNER');
      expect((await edit(othersInteraction)).status).toBe(404);
      expect((await api.call({ method: 'DELETE', path: `${BASE}/interactions/${sharedByOther}`, claims: rep })).status).toBe(403);
      expect((await api.call({ method: 'GET', path: `${BASE}/interactions/${sharedByOther}` })).body.data.version).toBe(1);
    });
  });
});
