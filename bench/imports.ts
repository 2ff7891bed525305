import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../functions/db/database.js';
import { migrateToLatest } from '../functions/db/migrate.js';
import { openPostgresPool } from '../functions/db/postgres-pool.js';
import { localExportStorage } from '../functions/exports/export-storage.js';
import { importKey, localImportUploads } from '../functions/imports/import-uploads.js';
import { createServices } from '../functions/services.js';

/**
 * `npx tsx bench/imports.ts [rows…]`: imports a generated customer CSV of each size (default
 * 10,000 and 100,000) with upsert on email, each in a fresh process and a fresh database (a
 * scratch database on the server at DATABASE_URL when set, so that the database's own memory is
 * not counted; PGlite on disk otherwise), the runner and the batch path in process (no HTTP).
 * Prints rows/s and the peak RSS (sampled every 50 ms) above the RSS before the import, then
 * whether memory stayed flat: the largest file's peak may exceed the smallest's by at most 25 %.
 */
const ADMIN = { id: '019b6ec4-0000-7000-8000-00000000ad31', claims: { sub: '019b6ec4-0000-7000-8000-00000000ad31', roles: '[admin]' } };

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('name,email,phone,source\n');
  for (let index = 0; index < rows; index++) {
    const line = `Bench Person ${index},bench${index}@import.example,${index % 3 === 0 ? `+3801234${String(index % 100000).padStart(5, '0')}` : ''},website\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function scratchDatabase(): Promise<{ url: string | undefined; drop(): Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (!server) return { url: undefined, drop: async () => undefined };
  const name = `cm_bench_import_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** One size, in this process: the JSON line the parent reads. */
async function one(rows: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-import-'));
  const scratch = await scratchDatabase();
  const opened = await openPostgresPool({ databaseUrl: scratch.url, dataDir: join(dir, 'pglite'), maxConnections: 4 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened.pool }) });
  await migrateToLatest(db);
  const uploads = localImportUploads({ dir: join(dir, 'imports'), uploadUrl: 'http://127.0.0.1/local/imports/upload' });
  const services = createServices(db, {
    importUploads: uploads,
    exportStorage: localExportStorage({ dir: join(dir, 'exports'), downloadUrl: 'http://127.0.0.1/local/exports/download' }),
  });
  const job = await services.imports.start(
    { object: 'customers', mode: 'upsert', matchOn: 'email', dryRun: false, columnMappings: null, options: { delimiter: ',', quote: '"' } },
    ADMIN,
  );
  await mkdir(join(dir, 'imports'), { recursive: true });
  await writeCsv(join(dir, 'imports', importKey(job.id).slice('imports/'.length)), rows);
  const bytes = (await stat(join(dir, 'imports', `${job.id}.csv`))).size;
  await services.imports.store.uploaded(job.id, new Date());
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  const outcome = await services.imports.run(job.id);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const done = (await services.imports.store.get(job.id))!;
  await db.destroy();
  await opened.close();
  await scratch.drop();
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({ rows, bytes, outcome, created: done.counts.created, failed: done.counts.failed, seconds, baselineMb: baseline / 2 ** 20, peakMb: peak / 2 ** 20 })}\n`,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--one') return one(Number(args[1]));
  const sizes = args.length > 0 ? args.map(Number) : [10_000, 100_000];
  const results = sizes.map((rows) => {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/imports.ts', '--one', String(rows)], {
      encoding: 'utf8',
      maxBuffer: 16 * 2 ** 20,
    });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !line.startsWith('{')) throw new Error(`bench of ${rows} rows failed:\n${child.stdout}\n${child.stderr}`);
    return JSON.parse(line) as {
      rows: number;
      bytes: number;
      outcome: string;
      created: number;
      failed: number;
      seconds: number;
      baselineMb: number;
      peakMb: number;
    };
  });
  const database = process.env.DATABASE_URL ? 'PostgreSQL server' : 'PGlite on disk';
  process.stdout.write(
    `| rows | file | outcome | created | seconds | rows/s | RSS before | peak RSS | peak − before |\n|---:|---:|---|---:|---:|---:|---:|---:|---:|\n`,
  );
  for (const r of results) {
    process.stdout.write(
      `| ${r.rows.toLocaleString('en-GB')} | ${(r.bytes / 2 ** 20).toFixed(1)} MiB | ${r.outcome} | ${r.created.toLocaleString('en-GB')} | ${r.seconds.toFixed(1)} | ${Math.round(r.rows / r.seconds).toLocaleString('en-GB')} | ${r.baselineMb.toFixed(0)} MB | ${r.peakMb.toFixed(0)} MB | ${(r.peakMb - r.baselineMb).toFixed(0)} MB |\n`,
    );
  }
  const [small, large] = [results[0]!, results[results.length - 1]!];
  const flat = large.peakMb <= small.peakMb * 1.25;
  process.stdout.write(
    `\nDatabase: ${database}. Memory flat (peak RSS of ${large.rows.toLocaleString('en-GB')} rows ≤ 1.25 × that of ${small.rows.toLocaleString('en-GB')}): ${flat ? 'met' : 'MISSED'} ` +
      `(${large.peakMb.toFixed(0)} MB vs ${small.peakMb.toFixed(0)} MB).\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
