import { sql } from 'kysely';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportStorage } from '../../functions/exports/export-storage.js';
import { BASE, createApiHarness, type ApiHarness } from '../support/api-harness.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MiB = 1024 * 1024;

/** A storage that keeps nothing: it counts the bytes and, after a full collection at each chunk, the heap in use. */
function measuringStorage() {
  const measured = { bytes: 0, chunks: 0, largestChunk: 0, baseline: 0, peakHeap: 0 };
  const storage: ExportStorage = {
    async write(_key, _type, chunks) {
      gc();
      measured.baseline = process.memoryUsage().heapUsed;
      for await (const chunk of chunks) {
        measured.bytes += Buffer.byteLength(chunk);
        measured.chunks++;
        measured.largestChunk = Math.max(measured.largestChunk, chunk.length);
        gc();
        measured.peakHeap = Math.max(measured.peakHeap, process.memoryUsage().heapUsed);
      }
    },
    downloadUrl: async (key) => `memory://${key}`,
  };
  return { storage, measured };
}

/**
 * Streaming, measured: the same export over 3,000 and 12,000 customers (pages of 100). The file
 * grows fourfold; the largest piece handed to the storage and the heap in use while writing do not.
 */
describe('an export’s memory does not grow with its rows (PGlite)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  }, 60_000);
  afterAll(() => database.close());

  async function exportAll(customers: number) {
    await sql`delete from customer_mgmt_customers`.execute(database.db);
    await sql`
      insert into customer_mgmt_customers (id, name, email, tags, created_at, updated_at)
      select gen_random_uuid(), 'Seeded customer number ' || g, 'seeded.' || g || '@example.com', '["bulk","export"]'::jsonb,
             timestamptz '2024-01-01' + g * interval '1 minute', timestamptz '2024-01-01' + g * interval '1 minute'
      from generate_series(1, ${customers}) as g`.execute(database.db);
    const { storage, measured } = measuringStorage();
    const api: ApiHarness = createApiHarness(database.db, undefined, undefined, { exportStorage: storage, exportPageSize: 100 });
    const started = await api.call({ method: 'POST', path: `${BASE}/exports`, body: { object: 'customers', format: 'jsonl' } });
    await api.services.exports.idle();
    const done = (await api.call({ method: 'GET', path: `${BASE}/exports/${started.body.data.id}` })).body.data;
    expect(done).toMatchObject({ state: 'succeeded', expected_rows: customers, rows_written: customers });
    return { ...measured, growth: measured.peakHeap - measured.baseline };
  }

  it('exports 3,000 and 12,000 rows with the same largest chunk and the same heap', async () => {
    const small = await exportAll(3_000);
    const large = await exportAll(12_000);
    console.log(
      `export memory: 3,000 rows ${(small.bytes / MiB).toFixed(1)} MiB file, heap +${(small.growth / MiB).toFixed(1)} MiB; ` +
        `12,000 rows ${(large.bytes / MiB).toFixed(1)} MiB file, heap +${(large.growth / MiB).toFixed(1)} MiB; ` +
        `largest chunk ${small.largestChunk} / ${large.largestChunk} characters`,
    );
    expect(small.chunks).toBe(30);
    expect(large.chunks).toBe(120);
    expect(large.bytes).toBeGreaterThan(3.9 * small.bytes);
    // One page at a time: the largest piece is one page of 100 records, whatever the total.
    expect(large.largestChunk).toBeLessThan(small.largestChunk * 1.05);
    // The file is several MiB more; held in memory it would show as that much more heap.
    expect(large.bytes - small.bytes).toBeGreaterThan(3 * MiB);
    expect(large.growth).toBeLessThan(small.growth + 2 * MiB);
  }, 300_000);
});
