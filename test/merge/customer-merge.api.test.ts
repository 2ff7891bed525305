import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomerRepository } from '../../functions/customers/customer-repository.js';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';

const REP = randomUUID();
const unique = () => randomUUID().slice(0, 8);

describe.each(availableDialects())('customer merge on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let consume: ReturnType<typeof createEventConsumer>;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-03-01T00:00:00.000Z'));
    await api.registerSalesRep(REP);
    consume = createEventConsumer(database.db);
  });
  afterAll(() => database.close());

  const post = async (path: string, body: unknown, headers?: Record<string, string>) => {
    const response = await api.call({ method: 'POST', path: `${BASE}${path}`, body, ...(headers && { headers }) });
    if (response.status === 500 && process.env.MERGE_DEBUG)
      console.log(
        api.logged
          .slice(-1)
          .map((line) => JSON.parse(line).error)
          .join('\n'),
      );
    return response;
  };
  const get = (path: string) => api.call({ method: 'GET', path: `${BASE}${path}` });
  async function customer(body: Record<string, unknown> = {}) {
    const created = await post('/customers', { name: `Person ${unique()}`, email: `p.${unique()}@example.com`, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.data as { id: string; email: string; version: number };
  }
  const order = (type: string, customerId: string, total: number, placedAt: string, orderId = randomUUID()) => ({
    id: randomUUID(),
    source: 'order-management',
    'detail-type': type,
    detail: { order_id: orderId, customer_id: customerId, total_minor: total, currency: 'EUR', placed_at: placedAt },
  });
  const history = async (id: string) => (await get(`/customers/${id}/history?limit=100`)).body.data as any[];

  it('fills blanks from the most recent loser, takes the furthest status and highest tier, unites tags, moves everything and keeps the emails as aliases', async () => {
    const survivor = await customer({ name: 'Ada Lovelace', tags: ['vip'] });
    const older = await customer({ name: 'A. Lovelace', phone: '+442079460958', tier: 'pro', tags: ['newsletter'] });
    const newer = await customer({ name: 'Ada L.', phone: '+442079460999', assigned_to: REP, tags: ['vip', 'beta'] });
    expect((await post(`/customers/${older.id}/qualify`, undefined)).status).toBe(200);
    await consume(order('OrderCompleted', older.id, 2500, '2026-01-10T10:00:00Z'));
    await consume(order('OrderPlaced', newer.id, 1000, '2026-02-10T10:00:00Z'));
    const note = await post('/interactions', { type: 'note', occurred_at: '2026-02-01T10:00:00Z', links: { customer_ids: [newer.id] } });
    expect(note.status).toBe(201);
    const deal = await post('/deals', {
      name: 'Duplicate deal',
      primary_customer_id: older.id,
      contacts: [
        { customer_id: older.id, role: 'champion' },
        { customer_id: survivor.id, role: 'user' },
      ],
    });
    expect(deal.status, JSON.stringify(deal.body)).toBe(201);
    const before = await get(`/customers/${survivor.id}`);

    const merged = await post(`/customers/${survivor.id}/merge`, { merge_ids: [older.id, newer.id] }, { 'if-match': before.headers.etag! });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    const result = merged.body.data;
    expect(result).toMatchObject({
      merged_ids: [older.id, newer.id],
      aliases: [older.email, newer.email], // the most recently updated loser first (the completed order converted the older one)
      moved: { orders: 2, interactions: 1, deals: 1 },
      dry_run: false,
      customer: {
        id: survivor.id,
        name: 'Ada Lovelace',
        email: survivor.email,
        phone: '+442079460958', // the most recently updated loser's
        assigned_to: REP,
        status: 'customer', // the completed order converted the older one
        tier: 'pro',
        tags: ['vip', 'newsletter', 'beta'],
        purchase_summary: { orders_count: 2, total_spent_minor: { EUR: 3500 } },
        last_interaction_at: '2026-02-01T10:00:00.000Z',
      },
    });
    expect(result.field_sources).toMatchObject({
      name: survivor.id,
      phone: older.id,
      status: older.id,
      tier: older.id,
      assigned_to: newer.id,
    });
    const reread = await get(`/customers/${survivor.id}`);
    expect(reread.body.data).toEqual(result.customer);
    expect(merged.headers.etag).toBe(reread.headers.etag);

    // The losers are gone, and say where to.
    const gone = await get(`/customers/${older.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ code: 'CUSTOMER.MERGED', details: { merged_into: survivor.id } });
    // Their emails find the survivor and cannot be taken again.
    expect((await get(`/customers/email/${encodeURIComponent(older.email.toUpperCase())}`)).body.data.id).toBe(survivor.id);
    const again = await post('/customers', { name: 'Copycat', email: newer.email });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CUSTOMER.EMAIL_TAKEN', details: { existing_customer_id: survivor.id } });
    // Orders, the interaction and the deal moved.
    const purchases = await get(`/customers/${survivor.id}/purchases`);
    expect(purchases.body.data).toHaveLength(2);
    const movedDeal = await get(`/deals/${deal.body.data.id}`);
    expect(movedDeal.body.data).toMatchObject({
      primary_customer_id: survivor.id,
      contacts: [{ customer_id: survivor.id, role: 'champion' }],
    });
    const movedNote = await get(`/interactions/${note.body.data.id}`);
    expect(movedNote.body.data.links.customer_ids).toEqual([survivor.id]);
    // Events: CustomerMerged on the survivor, CustomerMergedInto on each loser.
    const survivorEvents = await history(survivor.id);
    expect(survivorEvents.at(-1)).toMatchObject({
      event_type: 'CustomerMerged',
      data: {
        merge_id: result.merge_id,
        merged_ids: [older.id, newer.id],
        moved: { orders: 2, interactions: 1, deals: 1 },
        changes: {
          phone: { from: null, to: '+442079460958' },
          status: { from: 'lead', to: 'customer' },
          tier: { from: 'free', to: 'pro' },
        },
      },
    });
    const { rows } = await sql<{ event_type: string; aggregate_id: string; data: any }>`
      select event_type, cast(aggregate_id as text) as aggregate_id, data from customer_mgmt_events
      where event_type = 'CustomerMergedInto' and aggregate_id in (cast(${older.id} as uuid), cast(${newer.id} as uuid))`.execute(
      database.db,
    );
    expect(rows.map((row) => row.aggregate_id).sort()).toEqual([older.id, newer.id].sort());
    // A later order naming a loser applies to the survivor.
    const late = await consume(order('OrderPlaced', older.id, 500, '2026-03-10T10:00:00Z'));
    expect(late.outcome).toBe('applied');
    const after = await get(`/customers/${survivor.id}`);
    expect(after.body.data.purchase_summary).toMatchObject({ orders_count: 3, total_spent_minor: { EUR: 4000 } });
    // The duplicate rule "email or merged alias" finds the survivor by a loser's email.
    const search = await post('/customers/duplicates/search', { email: older.email });
    expect(search.body.data.map((candidate: any) => [candidate.customer.id, candidate.rules])).toEqual([[survivor.id, ['email']]]);
  });

  it("Identity's events naming a loser's email apply to the survivor", async () => {
    const survivor = await customer();
    const loser = await customer();
    expect((await post(`/customers/${survivor.id}/merge`, { merge_ids: [loser.id] })).status).toBe(200);
    const userId = randomUUID();
    const signup = await consume({
      id: randomUUID(),
      source: 'identity',
      'detail-type': 'UserRegistered',
      detail: { user_id: userId, email: loser.email.toUpperCase(), name: 'Signed Up', registered_at: '2026-03-02T10:00:00Z' },
    });
    expect(signup).toMatchObject({ outcome: 'applied', result: `linked to existing customer ${survivor.id}` });
    expect((await get(`/customers/${survivor.id}`)).body.data.user_id).toBe(userId);
  });

  it('dry_run answers the merge without writing anything', async () => {
    const survivor = await customer();
    const loser = await customer({ phone: '+442079460001' });
    await consume(order('OrderPlaced', loser.id, 700, '2026-01-01T10:00:00Z'));
    const preview = await post(`/customers/${survivor.id}/merge`, { merge_ids: [loser.id], dry_run: true });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.data).toMatchObject({
      dry_run: true,
      merge_id: null,
      undo_until: null,
      moved: { orders: 1, interactions: 0, deals: 0 },
      customer: { phone: '+442079460001', purchase_summary: { orders_count: 1 } },
    });
    expect((await get(`/customers/${loser.id}`)).status).toBe(200);
    const unchanged = await get(`/customers/${survivor.id}`);
    expect(unchanged.body.data).toMatchObject({ phone: null, version: survivor.version, purchase_summary: { orders_count: 0 } });
  });

  it('field_choices picks where a field comes from', async () => {
    const survivor = await customer({ name: 'Bob Survivor', phone: '+442079460010' });
    const loser = await customer({ name: 'Robert Loser', phone: '+442079460011' });
    const merged = await post(`/customers/${survivor.id}/merge`, { merge_ids: [loser.id], field_choices: { name: loser.id } });
    expect(merged.status).toBe(200);
    expect(merged.body.data.customer).toMatchObject({ name: 'Robert Loser', phone: '+442079460010' });
    expect(merged.body.data.field_sources).toMatchObject({ name: loser.id, phone: survivor.id });
    const stranger = await customer();
    const refused = await post(`/customers/${survivor.id}/merge`, {
      merge_ids: [(await customer()).id],
      field_choices: { name: stranger.id },
    });
    expect(refused.status).toBe(400);
  });

  it('refuses what cannot be one person: two accounts, too many tags, itself, a stale If-Match, an unknown or merged record', async () => {
    const a = await customer({ user_id: randomUUID() });
    const b = await customer({ user_id: randomUUID() });
    const accounts = await post(`/customers/${a.id}/merge`, { merge_ids: [b.id] });
    expect(accounts.status).toBe(409);
    expect(accounts.body.error.code).toBe('MERGE.CONFLICTING_ACCOUNTS');

    const tags = (prefix: string) => Array.from({ length: 30 }, (_, n) => `${prefix}-${n}`);
    const t1 = await customer({ tags: tags('a') });
    const t2 = await customer({ tags: tags('b') });
    const many = await post(`/customers/${t1.id}/merge`, { merge_ids: [t2.id] });
    expect(many.status).toBe(409);
    expect(many.body.error).toMatchObject({ code: 'MERGE.TOO_MANY_TAGS', details: { tags: 60, max: 50 } });

    const self = await post(`/customers/${t1.id}/merge`, { merge_ids: [t1.id] });
    expect(self.status).toBe(422);
    expect(self.body.error.code).toBe('MERGE.INVALID_SET');

    const stale = await post(`/customers/${t1.id}/merge`, { merge_ids: [t2.id] }, { 'if-match': '"99"' });
    expect(stale.status).toBe(412);

    const ghost = randomUUID();
    const missing = await post(`/customers/${t1.id}/merge`, { merge_ids: [ghost] });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('CUSTOMER.NOT_FOUND');

    const s = await customer();
    const l = await customer();
    expect((await post(`/customers/${s.id}/merge`, { merge_ids: [l.id] })).status).toBe(200);
    const twice = await post(`/customers/${t1.id}/merge`, { merge_ids: [l.id] });
    expect(twice.status).toBe(404);
    expect(twice.body.error).toMatchObject({ code: 'CUSTOMER.MERGED', details: { merged_into: s.id } });

    const rep = await post(`/customers/${s.id}/merge`, { merge_ids: [t2.id] }, undefined);
    expect(rep.status).toBe(200);
    const forbidden = await api.call({
      method: 'POST',
      path: `${BASE}/customers/${s.id}/merge`,
      body: { merge_ids: [t1.id] },
      claims: claimsFor(['sales_rep'], REP),
    });
    expect(forbidden.status).toBe(403);
  });

  it('a B2C account and a company contact stay exclusive: the account wins over a blank company', async () => {
    const company = (await post('/companies', { name: `Acme ${unique()}` })).body.data.id as string;
    const userId = randomUUID();
    const person = await customer({ user_id: userId });
    const contact = await customer({ company_id: company });
    const merged = await post(`/customers/${person.id}/merge`, { merge_ids: [contact.id] });
    expect(merged.status).toBe(200);
    expect(merged.body.data.customer).toMatchObject({ user_id: userId, company_id: null });
    const other = await customer({ company_id: company });
    const conflict = await post(`/customers/${other.id}/merge`, { merge_ids: [person.id] });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('MERGE.ACCOUNT_TYPE_CONFLICT');
  });

  it('unmerge gives the loser back with exactly what moved, and refuses once a moved record changed', async () => {
    const survivor = await customer({ name: 'Sue Survivor' });
    const loser = await customer({ name: 'Sue Loser', phone: '+442079460020', user_id: randomUUID() });
    await consume(order('OrderCompleted', loser.id, 1200, '2026-01-05T10:00:00Z'));
    await consume(order('OrderCompleted', survivor.id, 300, '2026-01-06T10:00:00Z'));
    const note = await post('/interactions', {
      type: 'note',
      occurred_at: '2026-01-07T10:00:00Z',
      links: { customer_ids: [loser.id, survivor.id] },
    });
    const deal = await post('/deals', { name: 'Back deal', primary_customer_id: loser.id });
    const loserBefore = (await get(`/customers/${loser.id}`)).body.data;
    const merged = await post(`/customers/${survivor.id}/merge`, { merge_ids: [loser.id] });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.data.customer.user_id).toBe(loserBefore.user_id);

    const unmerged = await post(`/customers/${survivor.id}/unmerge`, { customer_id: loser.id });
    expect(unmerged.status, JSON.stringify(unmerged.body)).toBe(200);
    expect(unmerged.body.data).toMatchObject({
      merge_id: merged.body.data.merge_id,
      moved_back: { orders: 1, interactions: 1, deals: 1 },
      restored: {
        id: loser.id,
        name: 'Sue Loser',
        email: loser.email,
        user_id: loserBefore.user_id,
        purchase_summary: loserBefore.purchase_summary,
      },
      customer: { id: survivor.id, user_id: null, purchase_summary: { orders_count: 1, total_spent_minor: { EUR: 300 } } },
    });
    expect((await get(`/customers/${loser.id}`)).body.data.email).toBe(loser.email);
    expect((await get(`/customers/email/${loser.email}`)).body.data.id).toBe(loser.id);
    expect((await get(`/deals/${deal.body.data.id}`)).body.data.primary_customer_id).toBe(loser.id);
    expect((await get(`/interactions/${note.body.data.id}`)).body.data.links.customer_ids.sort()).toEqual([loser.id, survivor.id].sort());
    expect((await history(survivor.id)).at(-1).event_type).toBe('CustomerUnmerged');
    expect((await history(loser.id)).at(-1).event_type).toBe('CustomerUnmerged');
    const again = await post(`/customers/${survivor.id}/unmerge`, { customer_id: loser.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('MERGE.NOT_MERGED');

    // Merged again; the deal is then moved on by hand: moving it back would undo that change.
    expect((await post(`/customers/${survivor.id}/merge`, { merge_ids: [loser.id] })).status).toBe(200);
    const other = await customer();
    expect(
      (await api.call({ method: 'PUT', path: `${BASE}/deals/${deal.body.data.id}`, body: { primary_customer_id: other.id } })).status,
    ).toBe(200);
    const unsafe = await post(`/customers/${survivor.id}/unmerge`, { customer_id: loser.id });
    expect(unsafe.status).toBe(409);
    expect(unsafe.body.error).toMatchObject({
      code: 'MERGE.UNDO_UNSAFE',
      details: { changed: [{ record_type: 'deal', record_id: deal.body.data.id }] },
    });
    expect((await get(`/customers/${loser.id}`)).status).toBe(404);
  });

  it('an order event that found its customer merged, then saw it unmerged, follows the chain back to that customer', async () => {
    // The order consumer's lookup when its lock missed the merged customer and an unmerge committed
    // before it followed merged_into: the customer is live again and must answer (it dead-lettered).
    const repository = createCustomerRepository(database.db);
    const survivor = await customer();
    const loser = await customer();
    expect((await post(`/customers/${survivor.id}/merge`, { merge_ids: [loser.id] })).status).toBe(200);
    expect(await repository.resolveMerged(loser.id)).toBe(survivor.id);
    expect((await post(`/customers/${survivor.id}/unmerge`, { customer_id: loser.id })).status).toBe(200);
    expect(await repository.resolveMerged(loser.id)).toBe(loser.id);
    expect(await repository.resolveMerged(randomUUID())).toBeNull();
  });

  it('unmerge is refused once the 30 days have passed', async () => {
    const survivor = await customer();
    const loser = await customer();
    const merged = await post(`/customers/${survivor.id}/merge`, { merge_ids: [loser.id] });
    expect(merged.status).toBe(200);
    const undoUntil = Date.parse(merged.body.data.undo_until);
    expect(undoUntil - Date.parse(merged.body.data.customer.updated_at)).toBe(30 * 86_400_000);
    const later = createApiHarness(database.db, () => new Date(undoUntil + 1000));
    const late = await later.call({ method: 'POST', path: `${BASE}/customers/${survivor.id}/unmerge`, body: { customer_id: loser.id } });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'MERGE.UNDO_EXPIRED', details: { undo_until: merged.body.data.undo_until } });
    expect((await get(`/customers/${loser.id}`)).body.error.code).toBe('CUSTOMER.MERGED');
  });

  it('erasing the survivor erases its merged duplicates and their aliases', async () => {
    const survivor = await customer();
    const loser = await customer({ name: 'Zebulon Merged', phone: '+442079460030' });
    expect((await post(`/customers/${survivor.id}/merge`, { merge_ids: [loser.id] })).status).toBe(200);
    const erased = await post(`/customers/${survivor.id}/erase`, { request_ref: 'ticket-1' });
    expect(erased.status).toBe(200);
    const { rows } = await sql<{ n: number | string }>`
      select (select count(*) from customer_mgmt_customer_emails where email = ${loser.email})
        + (select count(*) from customer_mgmt_customers where email = ${loser.email} or name = 'Zebulon Merged')
        + (select count(*) from customer_mgmt_events where data::text like ${`%${loser.email}%`})
        + (select count(*) from customer_mgmt_merge_moves where record_id = ${loser.email}) as n`.execute(database.db);
    expect(Number(rows[0]!.n)).toBe(0);
    expect((await post('/customers', { name: 'Back again', email: loser.email })).status).toBe(201);
  });

  it('a loser’s external id stays reserved to the survivor: an upsert by it updates the survivor, a create with it is refused; unmerge gives it back', async () => {
    const [mine, theirs, chained] = [`shop-${unique()}`, `shop-${unique()}`, `shop-${unique()}`];
    const survivor = await customer({ external_id: mine });
    const loser = await customer({ external_id: theirs });
    const merged = await post(`/customers/${survivor.id}/merge`, { merge_ids: [loser.id] });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.data.customer.external_id).toBe(mine);
    const upsert = (externalId: string, name: string, email: string) =>
      post('/customers/batch/upsert', { match_on: 'external_id', inputs: [{ external_id: externalId, name, email }] });

    // The integrator's next sync still names the loser's id: it lands on the survivor, which keeps its own.
    const synced = await upsert(theirs, 'Synced via the loser', survivor.email);
    expect(synced.status, JSON.stringify(synced.body)).toBe(200);
    expect(synced.body.data.results[0]).toMatchObject({ status: 'updated', id: survivor.id });
    expect(synced.body.data.results[0].record).toMatchObject({ name: 'Synced via the loser', external_id: mine });
    // Nobody else can take it: a create is refused, naming the survivor.
    const copy = await post('/customers', { name: 'Copy', email: `copy.${unique()}@example.com`, external_id: theirs });
    expect(copy.status).toBe(409);
    expect(copy.body.error).toMatchObject({ code: 'CUSTOMER.EXTERNAL_ID_TAKEN', details: { existing_customer_id: survivor.id } });
    // Through a chain of merges: the survivor merged in its turn answers for both ids.
    const last = await customer({ external_id: chained });
    expect((await post(`/customers/${last.id}/merge`, { merge_ids: [survivor.id] })).status).toBe(200);
    const viaChain = await upsert(theirs, 'Twice merged', last.email);
    expect(viaChain.body.data.results[0]).toMatchObject({ status: 'updated', id: last.id });
    expect(
      Number(
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from customer_mgmt_customers where name in ('Copy', 'Twice merged') and id <> cast(${last.id} as uuid)`.execute(
            database.db,
          )
        ).rows[0]!.n,
      ),
    ).toBe(0);

    // Unmerge gives each loser back with its own external id, and an upsert by it finds it again.
    expect((await post(`/customers/${last.id}/unmerge`, { customer_id: survivor.id })).status).toBe(200);
    expect((await post(`/customers/${survivor.id}/unmerge`, { customer_id: loser.id })).status).toBe(200);
    expect((await get(`/customers/${loser.id}`)).body.data.external_id).toBe(theirs);
    expect((await get(`/customers/${survivor.id}`)).body.data.external_id).toBe(mine);
    const back = await upsert(theirs, 'The loser again', loser.email);
    expect(back.body.data.results[0]).toMatchObject({ status: 'updated', id: loser.id });
  });
});
