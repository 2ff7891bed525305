import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = dirname(BENCH_DIR);
export const RESULTS_DIR = join(BENCH_DIR, 'results');
/** Scratch space of a run (git-ignored): DATA_DIR, bundles, profiles. */
export const TMP_DIR = join(RESULTS_DIR, 'tmp');

export interface BenchSettings {
  /** PostgreSQL server; the run creates (and drops) its own database on it. */
  readonly serverUrl: string;
  /** Customers seeded before any measurement. */
  readonly customers: number;
  /** Connections of the server's pool and of the raw pg measurement. */
  readonly poolSize: number;
  /** Concurrency levels of the pg path (autocannon connections / raw pg in-flight queries). */
  readonly concurrencies: readonly number[];
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  /** The Data API path is slower and measured at one concurrency only, for less time. */
  readonly dataApiConcurrencies: readonly number[];
  readonly dataApiWarmupSeconds: number;
  readonly dataApiMeasureSeconds: number;
  /** Unloaded latency: a few scenarios once more at concurrency 1. */
  readonly latencySeconds: number;
  readonly rawWarmupSeconds: number;
  readonly rawMeasureSeconds: number;
  /** Fresh processes per bundle for the cold-start median. */
  readonly coldStartRuns: number;
  /** Start the servers under `node --cpu-prof` and summarise the profiles at the end. */
  readonly profile: boolean;
  /** Skip parts of the run (for iterating on one of them). */
  readonly skip: ReadonlySet<'raw' | 'pg' | 'data-api' | 'bundles'>;
}

function numberFrom(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return parsed;
}

function listFrom(name: string, fallback: readonly number[]): readonly number[] {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = value.split(',').map((part) => Number(part.trim()));
  if (parsed.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error(`${name} must be a comma list of positive integers, got "${value}"`);
  return parsed;
}

/**
 * Defaults fit the whole run in about four and a half minutes on 2 cores; every value can be
 * overridden from the environment (BENCH_*), `--quick` shortens everything for a smoke run.
 */
export function loadSettings(argv: readonly string[] = process.argv.slice(2)): BenchSettings {
  const quick = argv.includes('--quick');
  const skip = new Set<'raw' | 'pg' | 'data-api' | 'bundles'>();
  for (const arg of argv) {
    const match = /^--skip=(.+)$/.exec(arg);
    if (!match) continue;
    for (const part of match[1]!.split(',')) {
      if (part !== 'raw' && part !== 'pg' && part !== 'data-api' && part !== 'bundles')
        throw new Error(`--skip takes raw, pg, data-api, bundles; got "${part}"`);
      skip.add(part);
    }
  }
  const unknown = argv.filter((arg) => arg !== '--quick' && arg !== '--profile' && !arg.startsWith('--skip='));
  if (unknown.length > 0)
    throw new Error(`unknown arguments: ${unknown.join(' ')} (known: --quick, --profile, --skip=raw,pg,data-api,bundles)`);
  return {
    serverUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    customers: numberFrom('BENCH_CUSTOMERS', 100_000),
    poolSize: numberFrom('DB_POOL_SIZE', 16),
    concurrencies: listFrom('BENCH_CONCURRENCY', [16, 64]),
    warmupSeconds: numberFrom('BENCH_WARMUP_S', quick ? 1 : 2),
    measureSeconds: numberFrom('BENCH_DURATION_S', quick ? 2 : 5),
    dataApiConcurrencies: listFrom('BENCH_DATA_API_CONCURRENCY', [16]),
    dataApiWarmupSeconds: numberFrom('BENCH_DATA_API_WARMUP_S', 1),
    dataApiMeasureSeconds: numberFrom('BENCH_DATA_API_DURATION_S', quick ? 2 : 4),
    latencySeconds: numberFrom('BENCH_LATENCY_DURATION_S', quick ? 2 : 3),
    rawWarmupSeconds: numberFrom('BENCH_RAW_WARMUP_S', 1),
    rawMeasureSeconds: numberFrom('BENCH_RAW_DURATION_S', quick ? 2 : 4),
    coldStartRuns: numberFrom('BENCH_COLD_START_RUNS', quick ? 3 : 7),
    profile: argv.includes('--profile'),
    skip,
  };
}
