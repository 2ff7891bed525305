import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localExportStorage, type LocalExportStorage } from '../../functions/exports/export-storage.js';
import { localImportUploads, type LocalImportUploads } from '../../functions/imports/import-uploads.js';
import { BASE, createApiHarness, type ApiHarness } from '../support/api-harness.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { importFile, SOON } from './import-kit.js';

/**
 * Every property an upsert of customers sets (docs/imports.md), in the order of the representation;
 * not `id`: ids are the service's to give, so an import cannot keep them.
 */
const PROPERTIES = ['name', 'email', 'phone', 'source', 'user_id', 'company_id', 'external_id'];

const ROWS = 250;
/** Rows per import chunk (one transaction) and per export page: several of each, and pages that end inside a chunk. */
const CHUNK = 100;
const PAGE = 30;
/** Customers created per batch in the source database, all at one instant (the source's ties). */
const SOURCE_BATCH = 70;

/** A clock that stands still until moved: every record created in between has the same created_at. */
function handClock(start: string) {
  let instant = Date.parse(start);
  return {
    now: () => new Date(instant),
    tick: () => {
      instant += 1000;
    },
  };
}

/** The people of the source database: cells that are hard to carry (quotes, delimiters, spaces, scripts), then plain ones. */
function people(): Record<string, unknown>[] {
  const tricky: Record<string, unknown>[] = [
    { name: 'Ada Lovelace', email: 'ada@round.example', phone: '+380123456789', source: 'website', external_id: 'shop-1' },
    { name: 'Hopper, Grace "Amazing"', email: 'grace@round.example', user_id: randomUUID() },
    { name: 'Łukasz Żółć', email: 'lukasz@round.example', source: 'referral', external_id: 'crm, "legacy" #7' },
    { name: 'Émile Zola', email: 'EMILE@Round.Example', phone: '+33142685300' },
    { name: 'Spaced  Out', email: 'spaced@round.example', source: 'trade-fair' },
    { name: '山田太郎', email: 'taro@round.example', phone: '+81312345678', external_id: '顧客-42' },
    { name: 'Semi;colon "quoted"', email: 'semi@round.example', source: 'cold-call' },
  ];
  const plain = Array.from({ length: ROWS - tricky.length }, (_, index) => ({
    name: `Person ${ROWS - index}`,
    // Email order is not creation order: a batch runs its inputs in the order of their keys.
    email: `p${(index * 37) % ROWS}.${index}@round.example`,
    ...(index % 3 === 0 && { source: ['website', 'referral', 'import'][index % 9 === 0 ? 0 : index % 2] }),
    ...(index % 5 === 0 && { external_id: `ext-${index}` }),
    ...(index % 7 === 0 && { user_id: randomUUID() }),
  }));
  return [...tricky, ...plain];
}

describe.each(availableDialects())('export → import (upsert) into an empty database → export on %s', (dialect) => {
  interface Side {
    readonly database: TestDatabase;
    readonly api: ApiHarness;
    readonly exports: LocalExportStorage;
    readonly uploads: LocalImportUploads;
    readonly clock: ReturnType<typeof handClock>;
  }
  const sides: Side[] = [];
  let dir: string;

  const exportCustomers = async (side: Side) => {
    const started = await side.api.call({
      method: 'POST',
      path: `${BASE}/exports`,
      body: { object: 'customers', format: 'csv', properties: PROPERTIES },
    });
    await side.api.services.exports.idle();
    const done = (await side.api.call({ method: 'GET', path: `${BASE}/exports/${started.body.data.id}` })).body.data;
    expect(done).toMatchObject({ state: 'succeeded', expected_rows: ROWS, rows_written: ROWS });
    const resolved = side.exports.resolve(new URL(done.download_url).searchParams, SOON);
    if (!resolved.ok) throw new Error(resolved.reason);
    return readFile(resolved.path, 'utf8');
  };

  /** How many customers share each created_at, in time order. */
  const ties = async (side: Side) =>
    (
      await sql<{ n: string }>`select count(*) as n from customer_mgmt_customers group by created_at order by created_at`.execute(
        side.database.db,
      )
    ).rows.map((row) => Number(row.n));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'import-round-trip-'));
    for (const name of ['source', 'target']) {
      const database = await openTestDatabase(dialect);
      const exports = localExportStorage({ dir: join(dir, name, 'exports'), downloadUrl: 'http://127.0.0.1:8081/local/exports/download' });
      const uploads = localImportUploads({ dir: join(dir, name, 'imports'), uploadUrl: 'http://127.0.0.1:8081/local/imports/upload' });
      const clock = handClock('2026-03-01T09:00:00.000Z');
      // Ids are the production ones (UUID v7, increasing in creation order; random ids would shuffle the
      // ties). The clock moves only between source batches and import chunks: every record of one has
      // the same created_at, as if it were the transaction's now().
      const api = createApiHarness(database.db, clock.now, undefined, {
        exportStorage: exports,
        exportPageSize: PAGE,
        importUploads: uploads,
        importChunkSize: CHUNK,
        onImportChunk: clock.tick,
      });
      sides.push({ database, api, exports, uploads, clock });
    }
    const source = sides[0]!;
    const everyone = people();
    for (let at = 0; at < everyone.length; at += SOURCE_BATCH) {
      const created = await source.api.call({
        method: 'POST',
        path: `${BASE}/customers/batch/create`,
        body: { inputs: everyone.slice(at, at + SOURCE_BATCH) },
      });
      expect(created.body.data?.counts, JSON.stringify(created.body)).toMatchObject({
        created: Math.min(SOURCE_BATCH, ROWS - at),
        error: 0,
      });
      source.clock.tick();
    }
    // Within a tie the source's order is the order its batch ran the inputs (by email), not the input order.
    expect(await ties(source)).toEqual([70, 70, 70, 40]);
  }, 120_000);
  afterAll(async () => {
    for (const side of sides) await side.database.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the second export is the first one, byte for byte: same columns, same cells, same order (ties on created_at included)', async () => {
    const [source, target] = [sides[0]!, sides[1]!];
    const first = await exportCustomers(source);
    const imported = await importFile(target.api, target.uploads, { object: 'customers', mode: 'upsert', match_on: 'email' }, first);
    expect(imported).toMatchObject({ status: 'done', counts: { rows: ROWS, created: ROWS, failed: 0 } });
    // The target's records tie on created_at a chunk at a time; the export's pages of 30 end inside those ties.
    expect(await ties(target)).toEqual([100, 100, 50]);
    const second = await exportCustomers(target);

    expect(second).toBe(first);
    // What the file holds: exactly the chosen columns, and the cells that are hard to carry.
    const lines = first.split('\r\n');
    expect(lines[0]).toBe('name,email,phone,source,user_id,company_id,external_id');
    expect(lines).toHaveLength(ROWS + 2);
    expect(lines.find((line) => line.includes('grace@'))).toMatch(
      /^"Hopper, Grace ""Amazing""",grace@round.example,,unknown,[0-9a-f-]{36},,$/,
    );
    expect(lines).toContain('Łukasz Żółć,lukasz@round.example,,referral,,,"crm, ""legacy"" #7"');
    expect(lines).toContain('"Semi;colon ""quoted""",semi@round.example,,cold-call,,,');
    expect(lines).toContain('Spaced  Out,spaced@round.example,,trade-fair,,,');
    expect(lines).toContain('Émile Zola,emile@round.example,+33142685300,unknown,,,');
    expect(lines).toContain('山田太郎,taro@round.example,+81312345678,unknown,,,顧客-42');
  });

  it('importing the export back into its own database changes nothing: every row unchanged, no event', async () => {
    const source = sides[0]!;
    const events = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from customer_mgmt_events`.execute(source.database.db)).rows[0]!.n);
    const before = await events();
    const file = await exportCustomers(source);
    const imported = await importFile(source.api, source.uploads, { object: 'customers', mode: 'upsert' }, file);
    expect(imported).toMatchObject({ status: 'done', counts: { rows: ROWS, created: 0, updated: 0, unchanged: ROWS, failed: 0 } });
    expect(await events()).toBe(before);
  });
});
