import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { localExportStorage, type LocalExportStorage } from '../../functions/exports/export-storage.js';
import { localImportUploads, type LocalImportUploads } from '../../functions/imports/import-uploads.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';
import { allErrors, importFile, SOON } from './import-kit.js';

describe.each(availableDialects())('CSV imports on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let dir: string;
  let uploads: LocalImportUploads;
  let reports: LocalExportStorage;

  const customerCount = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from customer_mgmt_customers`.execute(database.db)).rows[0]!.n);
  const eventCount = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from customer_mgmt_events`.execute(database.db)).rows[0]!.n);
  const byEmail = async (email: string) =>
    (
      await api.call({
        method: 'POST',
        path: `${BASE}/customers/search`,
        body: { filter_groups: [{ filters: [{ property: 'email', operator: 'eq', value: email }] }] },
      })
    ).body.data;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    dir = await mkdtemp(join(tmpdir(), 'imports-test-'));
    uploads = localImportUploads({ dir: join(dir, 'imports'), uploadUrl: 'http://127.0.0.1:8081/local/imports/upload' });
    reports = localExportStorage({ dir: join(dir, 'exports'), downloadUrl: 'http://127.0.0.1:8081/local/exports/download' });
    api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'), undefined, {
      importUploads: uploads,
      exportStorage: reports,
      importChunkSize: 3,
    });
  });
  afterAll(async () => {
    await api.services.imports.idle();
    await database.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('upsert on email: creates, updates, leaves unchanged; row errors by row and column; a duplicate in the file; the error report', async () => {
    const existing = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: { name: 'Ada L', email: 'ada@up.example', phone: '+380123456789' },
    });
    const same = await api.call({ method: 'POST', path: `${BASE}/customers`, body: { name: 'Same Person', email: 'same@up.example' } });
    expect([existing.status, same.status]).toEqual([201, 201]);
    const [customersBefore, eventsBefore] = [await customerCount(), await eventCount()];
    // A BOM, CRLF line ends, a quoted delimiter, an ignored column, an empty cell (no value) and a quoted empty one.
    const file =
      '\uFEFFname,email,phone,notes\r\n' +
      'Ada Lovelace,ADA@up.example,,keeps her phone\r\n' + // 1: updates Ada (email matched case aside); empty phone = no value
      '"Hopper, Grace",grace@up.example,,""\r\n' + // 2: creates; "" is an empty (ignored) note
      'Same Person,same@up.example,,\r\n' + // 3: unchanged
      'Bad Email,not-an-email,,\r\n' + // 4: the domain refuses the email
      'Grace Again,Grace@Up.Example,,\r\n' + // 5: row 2 already aims at grace@up.example
      'Too,few\r\n' + // 6: two cells, the header has four
      ',nameless@up.example,,\r\n' + // 7: no name (required to create)
      'Alan Turing,alan@up.example,+442071234567,\r\n'; // 8: creates
    const done = await importFile(api, uploads, { object: 'customers', mode: 'upsert', match_on: 'email' }, file);
    expect(done).toMatchObject({
      status: 'done',
      mode: 'upsert',
      match_on: 'email',
      dry_run: false,
      columns: ['name', 'email', 'phone', 'notes'],
      counts: { rows: 8, processed: 8, created: 2, updated: 1, unchanged: 1, failed: 4, duplicates_in_file: 1 },
      upload: null,
      error: null,
    });
    expect(await customerCount()).toBe(customersBefore + 2);
    // One event per written row (2 created, 1 updated), none for the unchanged or failed ones.
    expect(await eventCount()).toBe(eventsBefore + 3);
    const ada = (await api.call({ method: 'GET', path: `${BASE}/customers/${existing.body.data.id}` })).body.data;
    expect(ada).toMatchObject({ name: 'Ada Lovelace', email: 'ada@up.example', phone: '+380123456789', version: 2 });
    expect((await byEmail('grace@up.example'))[0]).toMatchObject({ name: 'Hopper, Grace' });

    const errors = await allErrors(api, done.id, 1);
    expect(errors.map(({ row, column, code }) => ({ row, column, code }))).toEqual([
      { row: 4, column: 'email', code: expect.stringMatching(/VALIDATION_FAILED|CUSTOMER\./) },
      { row: 5, column: null, code: 'IMPORT.DUPLICATE_IN_FILE' },
      { row: 6, column: null, code: 'VALIDATION_FAILED' },
      { row: 7, column: 'name', code: 'VALIDATION_FAILED' },
    ]);
    expect(errors[1]!.message).toContain('Row 2 of this file already aims at the record with email grace@up.example');
    expect(errors[2]!.message).toContain('the row has 2 cells, the header 4');

    // The report: the file's header plus the error columns; each failed row as it was in the file.
    const resolved = reports.resolve(new URL(done.error_report_url).searchParams, SOON);
    if (!resolved.ok) throw new Error(resolved.reason);
    const report = (await readFile(resolved.path, 'utf8')).split('\r\n');
    expect(report[0]).toBe('name,email,phone,notes,import_row,import_error_column,import_error_code,import_error_message');
    expect(report[1]).toMatch(/^Bad Email,not-an-email,,,4,email,/);
    expect(report[2]).toMatch(/^Grace Again,Grace@Up.Example,,,5,,IMPORT.DUPLICATE_IN_FILE,/);
    expect(report[3]).toMatch(/^Too,few,6,,VALIDATION_FAILED,/);
    expect(report[4]).toMatch(/^,nameless@up.example,,,7,name,VALIDATION_FAILED,/);
    expect(report[5]).toBe('');
  });

  it('dry_run: the same counts and errors, nothing written and no event', async () => {
    const [customersBefore, eventsBefore] = [await customerCount(), await eventCount()];
    const file =
      'name,email\nDry One,dry1@up.example\nDry Two,dry2@up.example\nBad,bad\nDry One Again,DRY1@up.example\nDry Three,dry3@up.example\n';
    const done = await importFile(api, uploads, { object: 'customers', mode: 'upsert', dry_run: true }, file);
    expect(done).toMatchObject({
      status: 'done',
      dry_run: true,
      counts: { rows: 5, created: 3, updated: 0, failed: 2, duplicates_in_file: 1 },
    });
    expect([await customerCount(), await eventCount()]).toEqual([customersBefore, eventsBefore]);
    expect((await allErrors(api, done.id)).map(({ row, code }) => [row, code])).toEqual([
      [3, expect.any(String)],
      [4, 'IMPORT.DUPLICATE_IN_FILE'],
    ]);
  });

  it('create mode with column mappings, a semicolon delimiter and a single-quote quote; tags and tier as the API takes them', async () => {
    const file =
      'Full name;E-mail;Level;Labels;Ignored\n\'Lovelace; Ada\';ada.create@up.example;pro;\'["vip","b2b"]\';x\nBob;bob.create@up.example;gold;;x\n';
    const done = await importFile(
      api,
      uploads,
      {
        object: 'customers',
        mode: 'create',
        column_mappings: { 'Full name': 'name', 'E-mail': 'email', Level: 'tier', Labels: 'tags' },
        options: { delimiter: ';', quote: "'" },
      },
      file,
    );
    expect(done).toMatchObject({ status: 'done', counts: { rows: 2, created: 1, failed: 1 } });
    expect((await byEmail('ada.create@up.example'))[0]).toMatchObject({ name: 'Lovelace; Ada', tier: 'pro', tags: ['vip', 'b2b'] });
    expect(await allErrors(api, done.id)).toEqual([
      { row: 2, column: 'Level', code: 'VALIDATION_FAILED', message: expect.stringContaining('tier') },
    ]);
  });

  it('update mode matches on id; a row naming no record fails with the object’s NOT_FOUND', async () => {
    const made = await api.call({ method: 'POST', path: `${BASE}/customers`, body: { name: 'By Id', email: 'byid@up.example' } });
    const file = `id,name\n${made.body.data.id},Renamed By Id\n${randomUUID()},Nobody\n`;
    const done = await importFile(api, uploads, { object: 'customers', mode: 'update', match_on: 'id' }, file);
    expect(done).toMatchObject({ status: 'done', counts: { rows: 2, updated: 1, failed: 1 } });
    expect((await allErrors(api, done.id))[0]).toMatchObject({ row: 2, code: 'CUSTOMER.NOT_FOUND' });
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${made.body.data.id}` })).body.data.name).toBe('Renamed By Id');
  });

  it('companies and deals import through their own batch adapters', async () => {
    const companies = await importFile(
      api,
      uploads,
      { object: 'companies', mode: 'upsert', match_on: 'domain' },
      'name,domain,country\nAcme,https://www.acme-imp.example/x,GB\nBeta,beta-imp.example,ZZ\n',
    );
    expect(companies).toMatchObject({ status: 'done', counts: { created: 1, failed: 1 } });
    expect((await allErrors(api, companies.id))[0]).toMatchObject({ row: 2, column: 'country' });
    const customer = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: { name: 'Deal Contact', email: 'deal.contact@up.example' },
    });
    const deals = await importFile(
      api,
      uploads,
      { object: 'deals', mode: 'upsert', match_on: 'external_id' },
      'name,external_id,amount,primary_customer_id\n' +
        `Big,crm-1,"{""amount_minor"":120000}",${customer.body.data.id}\n` +
        `Big again,crm-1,,${customer.body.data.id}\n` +
        'Lonely,crm-2,,\n',
    );
    expect(deals).toMatchObject({ status: 'done', counts: { created: 1, failed: 2, duplicates_in_file: 1 } });
    expect((await allErrors(api, deals.id)).map(({ row, column, code }) => [row, column, code])).toEqual([
      [2, null, 'IMPORT.DUPLICATE_IN_FILE'],
      [3, 'primary_customer_id', 'VALIDATION_FAILED'],
    ]);
    const big = await api.call({
      method: 'POST',
      path: `${BASE}/deals/search`,
      body: { filter_groups: [{ filters: [{ property: 'external_id', operator: 'eq', value: 'crm-1' }] }] },
    });
    expect(big.body.data[0]).toMatchObject({ name: 'Big', amount: { amount_minor: 120000 } });
  });

  it('interactions import through their batch adapter: participants as JSON cells, source + external_id make a re-import change nothing', async () => {
    const customer = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: { name: 'Called Person', email: 'called@up.example' },
    });
    const participants = `"[{""customer_id"":""${customer.body.data.id}""}]"`;
    const file =
      'type,direction,occurred_at,subject,participants,source,external_id\n' +
      `call,outbound,2026-02-01T10:00:00Z,First call,${participants},phone_system,pbx-1\n` +
      `meeting,,2026-02-02T10:00:00Z,Kick-off,${participants},calendar_sync,cal-1\n` +
      `call,outbound,2026-02-01T10:00:00Z,Same call again,${participants},phone_system,pbx-1\n` +
      `fax,,2026-02-03T10:00:00Z,Unknown type,${participants},import,x-1\n`;
    const first = await importFile(api, uploads, { object: 'interactions', mode: 'create' }, file);
    expect(first).toMatchObject({ status: 'done', counts: { rows: 4, created: 2, failed: 2, duplicates_in_file: 1 } });
    expect((await allErrors(api, first.id)).map(({ row, column, code }) => [row, column, code])).toEqual([
      [3, null, 'IMPORT.DUPLICATE_IN_FILE'],
      [4, 'type', 'VALIDATION_FAILED'],
    ]);
    const logged = await api.call({ method: 'GET', path: `${BASE}/interactions?customer_id=${customer.body.data.id}` });
    expect(logged.body.data.map((item: { subject: string }) => item.subject).sort()).toEqual(['First call', 'Kick-off']);
    const eventsBefore = await eventCount();
    const again = await importFile(api, uploads, { object: 'interactions', mode: 'create' }, file);
    expect(again).toMatchObject({ status: 'done', counts: { created: 0, unchanged: 2, failed: 2 } });
    expect(await eventCount()).toBe(eventsBefore);
  });

  it('a file that cannot be imported fails before any row is written, saying why', async () => {
    const before = await customerCount();
    const cases: [Record<string, unknown>, string | Buffer, RegExp][] = [
      [{ object: 'customers', mode: 'create' }, '', /empty: a header row/],
      [
        { object: 'customers', mode: 'create' },
        Buffer.concat([Buffer.from('name,email\nA,a@x.example\nB,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]),
        /not UTF-8/,
      ],
      [{ object: 'customers', mode: 'create' }, 'name,email\n"Unclosed,u@x.example\n', /not valid CSV/],
      [
        { object: 'customers', mode: 'create', column_mappings: { Name: 'name' } },
        'name,email\nA,a@x.example\n',
        /names the column "Name"/,
      ],
      [{ object: 'customers', mode: 'upsert' }, 'name,mail\nA,a@x.example\n', /no column maps to email/],
      [{ object: 'customers', mode: 'create' }, 'name,name\nA,B\n', /names the column "name" twice/],
    ];
    for (const [body, file, reason] of cases) {
      const done = await importFile(api, uploads, body, file);
      expect(done.status, String(reason)).toBe('failed');
      expect(done.error).toMatch(reason);
      expect(done.counts.processed).toBe(0);
    }
    expect(await customerCount()).toBe(before);
  });

  it('POST /imports validates the request: 400 with the field', async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ object: 'pipelines', mode: 'create' }, ['object']],
      [{ object: 'customers', mode: 'merge' }, ['mode']],
      [{ object: 'customers', mode: 'create', match_on: 'email' }, ['match_on']],
      [{ object: 'customers', mode: 'upsert', match_on: 'phone' }, ['match_on']],
      [{ object: 'customers', mode: 'upsert', column_mappings: { Status: 'status' } }, ['column_mappings.Status']],
      [{ object: 'customers', mode: 'upsert', column_mappings: { A: 'email', B: 'email' } }, ['column_mappings.B']],
      [{ object: 'customers', mode: 'create', options: { delimiter: ';;' } }, ['options.delimiter']],
      [{ object: 'customers', mode: 'create', options: { delimiter: '"' } }, ['options.quote']],
    ];
    for (const [body, fields] of cases) {
      const response = await api.call({ method: 'POST', path: `${BASE}/imports`, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.details.fields.map((field: { field: string }) => field.field)).toEqual(fields);
    }
  });

  it('cancel: a queued import is cancelled and its file no longer taken; an ended one answers 409, an unknown one 404', async () => {
    const started = await api.call({ method: 'POST', path: `${BASE}/imports`, body: { object: 'customers', mode: 'create' } });
    const cancelled = await api.call({ method: 'POST', path: `${BASE}/imports/${started.body.data.id}/cancel` });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data).toMatchObject({ status: 'cancelled', upload: null });
    expect(await api.services.imports.received(started.body.data.id)).toBeNull();
    const again = await api.call({ method: 'POST', path: `${BASE}/imports/${started.body.data.id}/cancel` });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('IMPORT.NOT_CANCELLABLE');
    const unknown = await api.call({ method: 'POST', path: `${BASE}/imports/${randomUUID()}/cancel` });
    expect(unknown.status).toBe(404);
  });

  it('a running import cancelled between chunks stops there: the recorded chunks stay, nothing after them is written', async () => {
    const rows = Array.from({ length: 12 }, (_, index) => `Cancel ${index},cancel${index}@up.example`);
    const started = await api.call({ method: 'POST', path: `${BASE}/imports`, body: { object: 'customers', mode: 'create' } });
    const id = started.body.data.id;
    const { Readable } = await import('node:stream');
    await uploads.receive(
      new URL(started.body.data.upload.url).searchParams,
      Readable.from([Buffer.from(`name,email\n${rows.join('\n')}\n`)]),
      SOON,
    );
    await api.services.imports.store.uploaded(id, SOON);
    // Run it with a pause after the second chunk, cancel, and take it up again: it finds it cancelled.
    let chunks = 0;
    expect(await api.services.imports.run(id, () => ++chunks === 2)).toBe('paused');
    expect((await api.call({ method: 'POST', path: `${BASE}/imports/${id}/cancel` })).status).toBe(200);
    expect(await api.services.imports.run(id)).toBe('skipped');
    const read = (await api.call({ method: 'GET', path: `${BASE}/imports/${id}` })).body.data;
    expect(read).toMatchObject({ status: 'cancelled', counts: { rows: 12, processed: 6, created: 6 } });
    expect((await byEmail('cancel5@up.example')).length).toBe(1);
    expect((await byEmail('cancel6@up.example')).length).toBe(0);
  });

  it('two runners of one import at once: every row written once (the chunk record is a compare-and-set)', async () => {
    const rows = Array.from({ length: 20 }, (_, index) => `Twice ${index},twice${index}@up.example`);
    const started = await api.call({ method: 'POST', path: `${BASE}/imports`, body: { object: 'customers', mode: 'upsert' } });
    const id = started.body.data.id;
    const { Readable } = await import('node:stream');
    await uploads.receive(
      new URL(started.body.data.upload.url).searchParams,
      Readable.from([Buffer.from(`name,email\n${rows.join('\n')}\n`)]),
      SOON,
    );
    await api.services.imports.store.uploaded(id, SOON);
    const eventsBefore = await eventCount();
    const outcomes = await Promise.all([api.services.imports.run(id), api.services.imports.run(id), api.services.imports.run(id)]);
    expect(outcomes).toContain('done');
    // Whatever the interleaving, the sum is the file: a chunk's rows are counted by exactly one runner.
    const read = (await api.call({ method: 'GET', path: `${BASE}/imports/${id}` })).body.data;
    expect(read.status).toBe('done');
    expect(read.counts.processed).toBe(20);
    expect(read.counts.created + read.counts.updated + read.counts.unchanged + read.counts.failed).toBe(20);
    const emails = (
      await sql<{ email: string }>`select email from customer_mgmt_customers where email like 'twice%'`.execute(database.db)
    ).rows.map((row) => row.email);
    expect(emails.sort()).toEqual(rows.map((_, index) => `twice${index}@up.example`).sort());
    // At most one event per customer, plus nothing else: a losing runner's chunk was rolled back with its events.
    expect(await eventCount()).toBe(eventsBefore + 20);
  });

  it('admins and managers import; sales reps and viewers are refused; lists page by keyset', async () => {
    const body = { object: 'customers', mode: 'create' };
    expect((await api.call({ method: 'POST', path: `${BASE}/imports`, body, claims: claimsFor(['manager'], randomUUID()) })).status).toBe(
      202,
    );
    expect((await api.call({ method: 'POST', path: `${BASE}/imports`, body, claims: claimsFor(['sales_rep'], randomUUID()) })).status).toBe(
      403,
    );
    expect((await api.call({ method: 'POST', path: `${BASE}/imports`, body, claims: claimsFor(['viewer'], randomUUID()) })).status).toBe(
      403,
    );
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await api.call({ method: 'GET', path: `${BASE}/imports?limit=2${after ? `&after=${after}` : ''}` });
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((item: { id: string }) => item.id));
      after = page.body.pagination.next_cursor;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort().reverse());
  });
});
