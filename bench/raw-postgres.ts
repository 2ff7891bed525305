/**
 * The hardware's limit for this workload: single-row `INSERT … RETURNING` and primary-key
 * `SELECT` through `pg` with the server's pool size and the scenarios' concurrency — no HTTP,
 * no validation, no Kysely. Runs in its own Node process (like the server), started by run.ts:
 *
 *   node --import tsx bench/raw-postgres.ts '{"url":…,"poolSize":16,"concurrencies":[16,64],…}'
 *
 * Inserts go to `bench_raw_customers`, a copy of the seeded customers table with the same
 * indexes and constraints, so the service's own table is not grown by the measurement.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { PROJECT_ROOT } from './settings.js';
import { cpuMeter, type CpuShare } from './cpu.js';
import { round1, Samples } from './stats.js';

export interface RawOptions {
  readonly url: string;
  readonly poolSize: number;
  readonly concurrencies: readonly number[];
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
}

export interface RawMeasurement {
  readonly operation: 'insert' | 'select';
  readonly concurrency: number;
  readonly rps: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly errors: number;
  /** CPU during the measured window: `client` is this Node process (pg), the rest as in cpu.ts. */
  readonly cpu?: CpuShare;
}

const RAW_TABLE = 'bench_raw_customers';
const SOURCE_TABLE = 'customer_mgmt_customers';

/** A copy of the customers table: same columns, checks, defaults, indexes and rows. */
async function createRawTable(client: pg.ClientBase): Promise<void> {
  await client.query(`drop table if exists ${RAW_TABLE}`);
  await client.query(`create table ${RAW_TABLE} (like ${SOURCE_TABLE} including all excluding indexes)`);
  await client.query(`insert into ${RAW_TABLE} select * from ${SOURCE_TABLE}`);
  const { rows } = await client.query<{ definition: string }>(
    `select indexdef as definition from pg_indexes where schemaname = current_schema() and tablename = $1`,
    [SOURCE_TABLE],
  );
  await client.query(`set maintenance_work_mem = '256MB'`);
  for (const { definition } of rows) {
    await client.query(definition.replace(/INDEX (\w+) ON (\w+\.)?customer_mgmt_customers /, `INDEX raw_$1 ON ${RAW_TABLE} `));
  }
  await client.query(`vacuum (analyze) ${RAW_TABLE}`);
}

const INSERT_SQL = `insert into ${RAW_TABLE} (id, name, email, phone, status, tier, source, tags, version, created_at, updated_at)
  values ($1, $2, $3, $4, 'lead', 'free', 'website', $5, 1, $6, $6) returning id`;
const SELECT_SQL = `select * from ${RAW_TABLE} where id = $1`;

/** Runs `concurrency` loops of `operation` for warm-up plus the measured window. */
async function measure(
  database: string,
  concurrency: number,
  warmupSeconds: number,
  measureSeconds: number,
  operation: (n: number) => Promise<unknown>,
): Promise<Omit<RawMeasurement, 'operation' | 'concurrency'>> {
  let n = 0;
  let errors = 0;
  const samples = new Samples();
  const warmupEnd = performance.now() + warmupSeconds * 1000;
  const end = warmupEnd + measureSeconds * 1000;
  let firstError: unknown;
  const meter = cpuMeter({ processes: { client: process.pid }, perRequest: 'client', database });
  let metering = false;
  const loop = async () => {
    for (let now = performance.now(); now < end; now = performance.now()) {
      try {
        await operation(n++);
        const done = performance.now();
        if (now >= warmupEnd) {
          if (!metering) {
            metering = true;
            meter.start();
          }
          samples.add(done - now);
        }
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const cpu = meter.stop(samples.count);
  if (firstError) process.stderr.write(`raw-postgres: ${errors} errors, first: ${String(firstError)}\n`);
  return { rps: round1(samples.count / measureSeconds), ...samples.percentiles(), errors, ...(cpu && { cpu }) };
}

async function runRaw(options: RawOptions): Promise<RawMeasurement[]> {
  const setup = new pg.Client({ connectionString: options.url });
  await setup.connect();
  await createRawTable(setup);
  const { rows } = await setup.query<{ id: string }>(`select id from ${SOURCE_TABLE} order by random() limit 20000`);
  const ids = rows.map((row) => row.id);

  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize });
  const database = new URL(options.url).pathname.slice(1);
  // Open every connection before measuring.
  await Promise.all(Array.from({ length: options.poolSize }, () => pool.query('select 1')));
  const results: RawMeasurement[] = [];
  try {
    for (const concurrency of options.concurrencies) {
      const insert = await measure(database, concurrency, options.warmupSeconds, options.measureSeconds, (n) => {
        const now = new Date().toISOString();
        return pool.query(INSERT_SQL, [
          uuidv7(),
          'Raw Insert',
          `raw.c${concurrency}.${n}@example.com`,
          '+380501234567',
          '["newsletter","vip"]',
          now,
        ]);
      });
      results.push({ operation: 'insert', concurrency, ...insert });
      const select = await measure(database, concurrency, options.warmupSeconds, options.measureSeconds, (n) =>
        pool.query(SELECT_SQL, [ids[n % ids.length]]),
      );
      results.push({ operation: 'select', concurrency, ...select });
    }
  } finally {
    await pool.end();
    await setup.query(`drop table if exists ${RAW_TABLE}`);
    await setup.end();
  }
  return results;
}

/** Runs the measurement in a child Node process and returns its results. */
export function measureRawPostgres(options: RawOptions): Promise<RawMeasurement[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(options)], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`raw-postgres exited with ${code}`));
      try {
        resolve(JSON.parse(output.trim().split('\n').pop()!) as RawMeasurement[]);
      } catch (error) {
        reject(new Error(`raw-postgres printed no result: ${String(error)}`));
      }
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runRaw(JSON.parse(process.argv[2] ?? '{}') as RawOptions).then(
    (results) => process.stdout.write(`${JSON.stringify(results)}\n`),
    (error: unknown) => {
      process.stderr.write(`raw-postgres failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
