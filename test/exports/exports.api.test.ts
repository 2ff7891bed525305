import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanyRepresentation } from '../../functions/companies/company.schemas.js';
import { localExportStorage, type ExportStorage, type LocalExportStorage } from '../../functions/exports/export-storage.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';

/** Within the hour the URLs are signed for: the harness's stepping clock starts at 09:00 and moves a second per reading. */
const SOON = new Date('2026-03-01T09:30:00.000Z');

/** The file behind a download URL, read as the local server's download route would serve it. */
async function download(storage: LocalExportStorage, url: string, now = SOON): Promise<string> {
  const resolved = storage.resolve(new URL(url).searchParams, now);
  if (!resolved.ok) throw new Error(resolved.reason);
  return readFile(resolved.path, 'utf8');
}

describe.each(availableDialects())('exports on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let dir: string;
  let storage: LocalExportStorage;
  /** Set by a test to act while the file is being written (after the first page reached the storage). */
  let duringWrite: (() => Promise<void>) | undefined;
  const ids: Record<string, string> = {};

  const start = async (body: unknown, claims?: Record<string, string>) =>
    api.call({ method: 'POST', path: `${BASE}/exports`, body, ...(claims && { claims }) });
  const finished = async (id: string) => {
    await api.services.exports.idle();
    const response = await api.call({ method: 'GET', path: `${BASE}/exports/${id}` });
    expect(response.status).toBe(200);
    return response.body.data;
  };

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    dir = await mkdtemp(join(tmpdir(), 'exports-test-'));
    storage = localExportStorage({ dir, downloadUrl: 'http://localhost:8081/local/exports/download' });
    // The local storage, with a hook between the first page and the rest (the count-mismatch test).
    const hooked: ExportStorage = {
      downloadUrl: storage.downloadUrl,
      write: (key, type, chunks) =>
        storage.write(
          key,
          type,
          (async function* () {
            let pages = 0;
            for await (const chunk of chunks) {
              yield chunk;
              if (++pages === 2 && duringWrite) await duringWrite();
            }
          })(),
        ),
    };
    api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'), undefined, {
      exportStorage: hooked,
      exportPageSize: 2,
    });
    // Created one second apart (the stepping clock): an export lists them in this order, oldest first.
    const people = [
      { name: 'Ada Lovelace', email: 'ada@acme.example', tags: ['vip', 'b2b'], tier: 'pro' },
      { name: 'Hopper, Grace "Amazing"', email: 'grace@navy.example', tags: ['vip'], tier: 'free' },
      { name: 'Alan Turing', email: 'alan@bletchley.example', tags: [], tier: 'free' },
      { name: 'Katherine Johnson', email: 'kj@nasa.example', tags: ['vip', 'nasa'], tier: 'enterprise' },
      { name: 'Zed Shaw', email: 'zed@acme.example', tags: ['b2b'], tier: 'free' },
    ];
    for (const person of people) {
      const created = await api.call({ method: 'POST', path: `${BASE}/customers`, body: person });
      expect(created.status).toBe(201);
      ids[person.name] = created.body.data.id;
    }
  });
  afterAll(async () => {
    await api.services.exports.idle();
    await database.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('CSV: a header of the property names, RFC 4180 quoting, tags as JSON text, pages of 2 written as they come', async () => {
    const started = await start({
      object: 'customers',
      format: 'csv',
      filter_groups: [{ filters: [{ property: 'tags', operator: 'eq', value: 'vip' }] }],
      properties: ['name', 'email', 'tags', 'tier', 'id'],
    });
    expect(started.status).toBe(202);
    expect(started.headers.location).toBe(`${BASE}/exports/${started.body.data.id}`);
    expect(started.body.data).toMatchObject({
      object: 'customers',
      format: 'csv',
      state: 'queued',
      expected_rows: null,
      download_url: null,
    });
    const done = await finished(started.body.data.id);
    expect(done).toMatchObject({ state: 'succeeded', expected_rows: 3, rows_written: 3, error: null });
    // Hand-written: oldest first; exactly the named columns in their order (id only because it is named);
    // a comma or quote puts the field in quotes, quotes doubled; CRLF line ends.
    expect(await download(storage, done.download_url)).toBe(
      'name,email,tags,tier,id\r\n' +
        `Ada Lovelace,ada@acme.example,"[""vip"",""b2b""]",pro,${ids['Ada Lovelace']}\r\n` +
        `"Hopper, Grace ""Amazing""",grace@navy.example,"[""vip""]",free,${ids['Hopper, Grace "Amazing"']}\r\n` +
        `Katherine Johnson,kj@nasa.example,"[""vip"",""nasa""]",enterprise,${ids['Katherine Johnson']}\r\n`,
    );
  });

  it('JSONL: one object per line, each the record’s own representation (every field when no properties are named)', async () => {
    const started = await start({ object: 'customers', format: 'jsonl', query: 'acme' });
    const done = await finished(started.body.data.id);
    expect(done).toMatchObject({ state: 'succeeded', expected_rows: 2, rows_written: 2 });
    const lines = (await download(storage, done.download_url)).split('\n');
    expect(lines.pop()).toBe('');
    const read = async (id: string) => (await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data;
    expect(lines.map((line) => JSON.parse(line))).toEqual([await read(ids['Ada Lovelace']!), await read(ids['Zed Shaw']!)]);
  });

  it('every object exports: as many rows as its search counts, each line its representation', async () => {
    const company = await api.call({ method: 'POST', path: `${BASE}/companies`, body: { name: 'Export Ltd', domain: 'export.example' } });
    const deal = await api.call({ method: 'POST', path: `${BASE}/deals`, body: { name: 'Big one', company_id: company.body.data.id } });
    const interaction = await api.call({
      method: 'POST',
      path: `${BASE}/interactions`,
      body: { type: 'note', occurred_at: '2025-12-01T10:00:00Z', links: { customer_ids: [ids['Zed Shaw']] } },
    });
    expect([company.status, deal.status, interaction.status]).toEqual([201, 201, 201]);
    for (const [object, record] of [
      ['companies', company],
      ['deals', deal],
      ['interactions', interaction],
    ] as const) {
      const counted = await api.call({ method: 'POST', path: `${BASE}/${object}/search`, body: { count: true } });
      const done = await finished((await start({ object, format: 'jsonl' })).body.data.id);
      expect(done, object).toMatchObject({ state: 'succeeded', expected_rows: counted.body.pagination.total, rows_written: 1 });
      const read = await api.call({ method: 'GET', path: `${BASE}/${object}/${record.body.data.id}` });
      expect(JSON.parse(await download(storage, done.download_url)), object).toEqual(read.body.data);
    }
  });

  it('an export with no match writes the header only and succeeds with 0 rows', async () => {
    const started = await start({ object: 'companies', format: 'csv', properties: ['name', 'domain'], query: 'nothingmatches' });
    const done = await finished(started.body.data.id);
    expect(done).toMatchObject({ state: 'succeeded', expected_rows: 0, rows_written: 0 });
    expect(await download(storage, done.download_url)).toBe('name,domain\r\n');
    // Without properties: every field of the representation, in its order, id first.
    const everything = await finished((await start({ object: 'companies', format: 'csv', query: 'nothingmatches' })).body.data.id);
    const header = Object.keys(CompanyRepresentation.shape).join(',');
    expect(header).toMatch(/^id,name,/);
    expect(await download(storage, everything.download_url)).toBe(`${header}\r\n`);
  });

  it('properties name each column once: a field named twice is refused (a file cannot have the column twice)', async () => {
    const started = await start({ object: 'customers', format: 'csv', properties: ['email', 'name', 'email'] });
    expect(started.status).toBe(400);
    expect(started.body.error.details.fields).toEqual([{ field: 'properties[2]', message: 'names email a second time; each column once' }]);
  });

  it('the search grammar validates the request: the same 400 and field paths as POST /{object}/search', async () => {
    const filter_groups = [
      { filters: [{ property: 'tags', operator: 'eq', value: 'vip' }] },
      {
        filters: [
          { property: 'name', operator: 'eq', value: 'x' },
          { property: 'tags', operator: 'lt', value: 'vip' },
        ],
      },
    ];
    for (const [search, paths] of [
      [{ filter_groups }, ['filter_groups[1].filters[1].operator']],
      [{ properties: ['nope'] }, ['properties[0]']],
      [{ query: 7 }, ['query']],
    ] as const) {
      const exported = await start({ object: 'customers', format: 'csv', ...search });
      const searched = await api.call({ method: 'POST', path: `${BASE}/customers/search`, body: search });
      expect(exported.status).toBe(400);
      expect(exported.body.error.code).toBe('VALIDATION_FAILED');
      expect(exported.body.error.details.fields).toEqual(searched.body.error.details.fields);
      expect(exported.body.error.details.fields.map((field: { field: string }) => field.field)).toEqual(paths);
    }
    const bad = await start({ object: 'orders', format: 'xlsx' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((field: { field: string }) => field.field)).toEqual(['object', 'format']);
    const listed = await api.call({ method: 'GET', path: `${BASE}/exports?limit=100` });
    expect(listed.body.data.every((item: { object: string }) => item.object !== 'orders')).toBe(true);
  });

  it('admins and managers export; sales reps and viewers are refused', async () => {
    const body = { object: 'deals', format: 'jsonl' };
    expect((await start(body, claimsFor(['manager'], randomUUID()))).status).toBe(202);
    expect((await start(body, claimsFor(['sales_rep'], randomUUID()))).status).toBe(403);
    expect((await start(body, claimsFor(['viewer'], randomUUID()))).status).toBe(403);
    await api.services.exports.idle();
  });

  it('fails loudly when the walk writes another number of rows than it counted: both numbers, no file', async () => {
    // After the first page (2 of 5 customers, oldest first), the newest customer is deleted: the walk finds 4.
    duringWrite = async () => {
      duringWrite = undefined;
      expect((await api.call({ method: 'DELETE', path: `${BASE}/customers/${ids['Zed Shaw']}` })).status).toBe(204);
    };
    const started = await start({ object: 'customers', format: 'csv', properties: ['name'] });
    const done = await finished(started.body.data.id);
    expect(done).toMatchObject({ state: 'failed', expected_rows: 5, rows_written: 4, download_url: null });
    expect(done.error).toContain('wrote 4 rows but 5 matched');
    await expect(readFile(join(dir, `${started.body.data.id}.csv`))).rejects.toThrow(/ENOENT/);
  });

  it('concurrent exports of the same search each write the whole file', async () => {
    const body = { object: 'customers', format: 'jsonl', properties: ['name', 'tags'] };
    const started = await Promise.all([start(body), start(body), start(body)]);
    const files = await Promise.all(started.map(async (one) => download(storage, (await finished(one.body.data.id)).download_url)));
    expect(new Set(files).size).toBe(1);
    expect(files[0]!.split('\n').filter(Boolean)).toHaveLength(4);
  });

  it("a record created during the walk is not in the file: the walk is bounded by the export's start, the counts agree", async () => {
    // After the first page (2 of the 4 live customers), a customer is created: oldest first, it would sort after the walk's position.
    duringWrite = async () => {
      duringWrite = undefined;
      const created = await api.call({
        method: 'POST',
        path: `${BASE}/customers`,
        body: { name: 'Late Comer', email: 'late@acme.example' },
      });
      expect(created.status).toBe(201);
    };
    const started = await start({ object: 'customers', format: 'csv', properties: ['name'] });
    const done = await finished(started.body.data.id);
    expect(duringWrite).toBeUndefined();
    expect(done).toMatchObject({ state: 'succeeded', expected_rows: 4, rows_written: 4, error: null });
    expect(await download(storage, done.download_url)).toBe(
      'name\r\nAda Lovelace\r\n"Hopper, Grace ""Amazing"""\r\nAlan Turing\r\nKatherine Johnson\r\n',
    );
    // The next export, started after it was created, has it, last.
    const next = await finished((await start({ object: 'customers', format: 'csv', properties: ['name'] })).body.data.id);
    expect(next).toMatchObject({ state: 'succeeded', expected_rows: 5, rows_written: 5 });
    expect((await download(storage, next.download_url)).split('\r\n').slice(-2)).toEqual(['Late Comer', '']);
  });

  it('a download URL is refused once expired or when tampered with', async () => {
    const listed = await api.call({ method: 'GET', path: `${BASE}/exports?limit=100` });
    const url = new URL(listed.body.data.find((item: { state: string }) => item.state === 'succeeded').download_url);
    expect(storage.resolve(url.searchParams, SOON)).toMatchObject({ ok: true });
    expect(storage.resolve(url.searchParams, new Date(SOON.getTime() + 2 * 3600_000))).toMatchObject({ ok: false });
    url.searchParams.set('key', `exports/${randomUUID()}.csv`);
    expect(storage.resolve(url.searchParams, SOON)).toEqual({ ok: false, reason: 'the signature does not match' });
  });

  it('GET /exports pages newest first with a keyset cursor; an unknown id is EXPORT.NOT_FOUND', async () => {
    const all = await api.call({ method: 'GET', path: `${BASE}/exports?limit=100` });
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = await api.call({ method: 'GET', path: `${BASE}/exports?limit=2${after ? `&after=${after}` : ''}` });
      seen.push(...page.body.data.map((item: { id: string }) => item.id));
      after = page.body.pagination.next_cursor;
    } while (after);
    expect(seen).toEqual(all.body.data.map((item: { id: string }) => item.id));
    expect([...seen].sort().reverse()).toEqual(seen);
    const missing = await api.call({ method: 'GET', path: `${BASE}/exports/${randomUUID()}` });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('EXPORT.NOT_FOUND');
  });
});
