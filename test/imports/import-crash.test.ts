import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportStore } from '../../functions/imports/import-store.js';
import { importKey } from '../../functions/imports/import-uploads.js';
import { ADMIN_CLAIMS, ADMIN_ID } from '../support/api-harness.js';
import { createScratchDatabase } from '../support/test-databases.js';
import { openShared, type SharedDatabase } from './support/import-database.js';

const ROWS = 1_500;
const CHUNK = 50;
const KILLS = 3;

const targets: [string, () => Promise<{ target: SharedDatabase; drop(): Promise<void> }>][] = [
  [
    'pglite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'import-crash-pglite-'));
      return { target: { pgliteDir: join(dir, 'pglite') }, drop: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
];
if (process.env.DATABASE_URL) {
  targets.push([
    'postgres',
    async () => {
      const scratch = await createScratchDatabase(process.env.DATABASE_URL!);
      return { target: { url: scratch.url }, drop: scratch.drop };
    },
  ]);
}

/** Runs the import in a child process; with `killAfterChunks`, SIGKILLs it a moment after that many chunks committed. */
function runChild(env: Record<string, string>, killAfterChunks?: number): Promise<{ output: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/imports/support/import-child.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let chunks = 0;
    let killed = false;
    child.stdout.on('data', (data: Buffer) => {
      output += data;
      chunks = (output.match(/^chunk /gm) ?? []).length;
      if (killAfterChunks !== undefined && !killed && chunks >= killAfterChunks) {
        killed = true;
        // A few milliseconds into the next chunk: its rows are being written, its transaction is open.
        setTimeout(() => child.kill('SIGKILL'), 5 + Math.floor(Math.random() * 20));
      }
    });
    child.stderr.on('data', (data: Buffer) => (output += data));
    child.on('error', reject);
    child.on('exit', () => resolve({ output, killed }));
  });
}

describe.each(targets)('an import killed with SIGKILL mid-chunk resumes at the chunk boundary (%s)', (_name, open) => {
  let shared: { target: SharedDatabase; drop(): Promise<void> };
  let files: string;
  const id = '019b6ec4-1111-7000-8000-00000000c0de';

  beforeAll(async () => {
    shared = await open();
    files = await mkdtemp(join(tmpdir(), 'import-crash-files-'));
    const lines = Array.from({ length: ROWS }, (_, index) => `Crash Person ${index},crash${index}@kill.example`);
    await writeFile(join(files, `${id}.csv`), `name,email\n${lines.join('\n')}\n`);
    const database = await openShared(shared.target);
    const store = createImportStore(database.db);
    const now = new Date();
    await store.create(
      {
        id,
        object: 'customers',
        mode: 'upsert',
        matchOn: 'email',
        dryRun: false,
        columnMappings: null,
        options: { delimiter: ',', quote: '"' },
        requestedBy: ADMIN_ID,
        claims: ADMIN_CLAIMS,
        fileKey: importKey(id),
      },
      now,
    );
    await store.uploaded(id, now);
    await database.close();
  });
  afterAll(async () => {
    await shared.drop();
    await rm(files, { recursive: true, force: true });
  });

  it(`killed ${KILLS} times, resumed each time: every row written exactly once, with exactly one event`, { timeout: 240_000 }, async () => {
    const env = {
      IMPORT_ID: id,
      IMPORT_FILES_DIR: files,
      IMPORT_CHUNK_SIZE: String(CHUNK),
      ...('url' in shared.target
        ? { IMPORT_DB_URL: shared.target.url }
        : { IMPORT_PGLITE_DIR: shared.target.pgliteDir, IMPORT_DB_URL: '' }),
    };
    const recordedAtKill: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const run = await runChild(env, 2);
      expect(run.killed, run.output).toBe(true);
      expect(run.output).not.toContain('outcome');
      // After the crash: exactly the recorded chunks are in the database, not one row of the open chunk.
      const database = await openShared(shared.target);
      const job = (await createImportStore(database.db).get(id))!;
      const written = Number(
        (await sql<{ n: string }>`select count(*) as n from customer_mgmt_customers where email like '%@kill.example'`.execute(database.db))
          .rows[0]!.n,
      );
      await database.close();
      expect(job.status).toBe('running');
      expect(job.counts.processed % CHUNK).toBe(0);
      expect(job.counts.processed).toBeLessThan(ROWS);
      expect(written).toBe(job.counts.processed);
      expect(job.counts.created).toBe(job.counts.processed);
      recordedAtKill.push(job.counts.processed);
    }
    // Each run went on from where the previous one was killed.
    expect(recordedAtKill).toEqual([...recordedAtKill].sort((a, b) => a - b));
    expect(new Set(recordedAtKill).size).toBe(KILLS);

    const finished = await runChild(env);
    expect(finished.output).toContain('outcome done');

    const database = await openShared(shared.target);
    const job = (await createImportStore(database.db).get(id))!;
    expect(job).toMatchObject({
      status: 'done',
      counts: { rows: ROWS, processed: ROWS, created: ROWS, updated: 0, unchanged: 0, failed: 0, duplicates_in_file: 0 },
    });
    const customers = (
      await sql<{ email: string; version: number }>`
        select email, version from customer_mgmt_customers where email like '%@kill.example'`.execute(database.db)
    ).rows;
    expect(customers.length).toBe(ROWS);
    expect(new Set(customers.map((row) => row.email)).size).toBe(ROWS);
    // Written once: version 1 each (a second write would have moved it), and one event each.
    expect(customers.every((row) => Number(row.version) === 1)).toBe(true);
    const events = (
      await sql<{ aggregate_id: string; n: string }>`
        select e.aggregate_id, count(*) as n from customer_mgmt_events e
        join customer_mgmt_customers c on c.id = e.aggregate_id
        where c.email like '%@kill.example' group by e.aggregate_id`.execute(database.db)
    ).rows;
    expect(events.length).toBe(ROWS);
    expect(events.every((row) => Number(row.n) === 1)).toBe(true);
    await database.close();
  });
});
