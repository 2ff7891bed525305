import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localExportStorage, type LocalExportStorage } from '../../functions/exports/export-storage.js';
import { localImportUploads, type LocalImportUploads } from '../../functions/imports/import-uploads.js';
import { BASE, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { importFile, SOON } from './import-kit.js';

/** The properties the round trip carries: what an upsert of customers sets (docs/imports.md says why these). */
const PROPERTIES = ['name', 'email', 'phone', 'source'];

/** The file's lines with the id column (the first) cut off; ids are the service's to give, so an import cannot keep them. */
const withoutIds = (file: string) => file.split('\r\n').map((line) => line.replace(/^[^,]*,?/, ''));

describe.each(availableDialects())('export → import (upsert) into an empty database → export on %s', (dialect) => {
  const sides: { database: TestDatabase; api: ApiHarness; exports: LocalExportStorage; uploads: LocalImportUploads }[] = [];
  let dir: string;

  const exportCustomers = async (side: (typeof sides)[number]) => {
    const started = await side.api.call({
      method: 'POST',
      path: `${BASE}/exports`,
      body: { object: 'customers', format: 'csv', properties: PROPERTIES },
    });
    await side.api.services.exports.idle();
    const done = (await side.api.call({ method: 'GET', path: `${BASE}/exports/${started.body.data.id}` })).body.data;
    expect(done.state).toBe('succeeded');
    const resolved = side.exports.resolve(new URL(done.download_url).searchParams, SOON);
    if (!resolved.ok) throw new Error(resolved.reason);
    return readFile(resolved.path, 'utf8');
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'import-round-trip-'));
    for (const name of ['source', 'target']) {
      const database = await openTestDatabase(dialect);
      const exports = localExportStorage({ dir: join(dir, name, 'exports'), downloadUrl: 'http://127.0.0.1:8081/local/exports/download' });
      const uploads = localImportUploads({ dir: join(dir, name, 'imports'), uploadUrl: 'http://127.0.0.1:8081/local/imports/upload' });
      const api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'), undefined, {
        exportStorage: exports,
        exportPageSize: 4,
        importUploads: uploads,
        importChunkSize: 4,
      });
      sides.push({ database, api, exports, uploads });
    }
    const people = [
      { name: 'Ada Lovelace', email: 'ada@round.example', phone: '+380123456789', source: 'website' },
      { name: 'Hopper, Grace "Amazing"', email: 'grace@round.example' },
      { name: 'Łukasz Żółć', email: 'lukasz@round.example', source: 'referral' },
      { name: 'Émile Zola', email: 'EMILE@Round.Example', phone: '+33142685300' },
      { name: '  Spaced  Out ', email: 'spaced@round.example', source: 'trade-fair' },
      { name: '山田太郎', email: 'taro@round.example', phone: '+81312345678' },
      { name: 'Semi;colon "quoted"', email: 'semi@round.example', source: 'cold-call' },
      { name: 'Zed Shaw', email: 'zed@round.example' },
      { name: 'Last One', email: 'last@round.example', source: 'import' },
    ];
    for (const person of people) {
      const created = await sides[0]!.api.call({ method: 'POST', path: `${BASE}/customers`, body: person });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
  });
  afterAll(async () => {
    for (const side of sides) await side.database.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the second export is the first one, ids aside, in reverse order (the import created the records oldest-last)', async () => {
    const [source, target] = [sides[0]!, sides[1]!];
    const first = await exportCustomers(source);
    const imported = await importFile(target.api, target.uploads, { object: 'customers', mode: 'upsert', match_on: 'email' }, first);
    expect(imported).toMatchObject({ status: 'done', counts: { rows: 9, created: 9, failed: 0 } });
    const second = await exportCustomers(target);

    const [before, after] = [withoutIds(first), withoutIds(second)];
    expect(before[0]).toBe('name,email,phone,source');
    expect(after[0]).toBe(before[0]);
    expect(after.pop()).toBe('');
    before.pop();
    // An export lists the newest first; the import created the file's first row first (the oldest): the same rows, reversed.
    expect([after[0], ...after.slice(1).reverse()]).toEqual(before);
    // Every cell survived, the tricky ones included (quotes, delimiters, spaces, non-Latin text, empty phones).
    expect(before.find((line) => line.includes('grace@'))).toMatch(/^"Hopper, Grace ""Amazing""",grace@round.example,,[a-z-]+$/);
    expect(before).toContain('"Semi;colon ""quoted""",semi@round.example,,cold-call');
  });

  it('importing the export back into its own database changes nothing: every row unchanged, no event', async () => {
    const source = sides[0]!;
    const events = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from customer_mgmt_events`.execute(source.database.db)).rows[0]!.n);
    const before = await events();
    const file = await exportCustomers(source);
    const imported = await importFile(source.api, source.uploads, { object: 'customers', mode: 'upsert' }, file);
    expect(imported).toMatchObject({ status: 'done', counts: { rows: 9, created: 0, updated: 0, unchanged: 9, failed: 0 } });
    expect(await events()).toBe(before);
  });
});
