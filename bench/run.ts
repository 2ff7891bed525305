/**
 * `npm run bench`: the service's throughput and latency over HTTP against PostgreSQL, next to
 * what PostgreSQL itself does on this machine, the same through the RDS Data API path, Data API
 * calls per endpoint, and every Lambda's bundle size and cold start. See docs/benchmarks.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { issueDevToken, loadOrCreateDevKeys } from '../infra/local/dev-auth.js';
import { LOCAL_CLUSTER } from '../infra/local/local-data-api.js';
import { measureBundles, type BundleResult } from './bundles.js';
import { countDataApiCalls } from './data-api-calls.js';
import { createBenchDatabase } from './database.js';
import { runLoad, type LoadResult } from './load.js';
import { startDataApiEndpoint, startServer, type EndpointProcess, type ServerProcess } from './processes.js';
import { formatProfile, mainThreadProfile, summarizeProfile, type ProfileSummary } from './profile-summary.js';
import { requestCpuBreakdown, type RequestCpu } from './request-cpu.js';
import { startFloorServer } from './http-floor.js';
import { measureRawPostgres, type RawMeasurement } from './raw-postgres.js';
import {
  CPU_BUDGETS_US,
  describeMachine,
  evaluateTargets,
  formatText,
  rawFigure,
  writeReport,
  type BenchReport,
  type ScenarioResult,
} from './report.js';
import { loadFixtures, SCENARIOS, type Fixtures, type Scenario } from './scenarios.js';
import { cpuMeter } from './cpu.js';
import { describeSeed, seedCompanies, seedCustomers, seedSalesReps, vacuumAnalyze, withoutSecondaryIndexes } from './seed.js';
import { loadSettings, TMP_DIR, type BenchSettings } from './settings.js';
import { round2 } from './stats.js';

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s`;
const log = (message: string) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`);

/** Things to undo however the run ends, last first. */
const cleanups: (() => Promise<void>)[] = [];

/** One measured window as reported: rates and latencies of the run, errors of warm-up and run, ratio to raw. */
function scenarioResult(
  name: string,
  path: ScenarioResult['path'],
  concurrency: number,
  warm: LoadResult,
  measured: LoadResult,
  raw: number | undefined,
  cpu: ScenarioResult['cpu'] | undefined,
): ScenarioResult {
  return {
    name,
    path,
    concurrency,
    rps: measured.rps,
    p50_ms: measured.p50_ms,
    p95_ms: measured.p95_ms,
    p99_ms: measured.p99_ms,
    errors: measured.errors + warm.errors,
    ratio_to_raw: raw ? round2(measured.rps / raw) : 0,
    requests: measured.requests,
    ...(cpu && { cpu }),
  };
}

async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      log(`cleanup failed: ${String(error)}`);
    }
  }
}

interface RunContext {
  readonly settings: BenchSettings;
  /** The benchmark database's name (to tell its PostgreSQL backends from others'). */
  readonly database: string;
  readonly token: string;
  readonly fixtures: Fixtures;
  readonly raw: readonly RawMeasurement[];
}

/** Leads a qualify run may consume: 1.5× the create rate seen at this concurrency, or a generous guess. */
function leadsNeeded(scenario: Scenario, expectedRps: number, seconds: number): number {
  return Math.ceil(scenario.leadsPerRequest * expectedRps * 1.5 * seconds) + 500;
}

async function runScenario(
  context: RunContext,
  server: ServerProcess,
  scenario: Scenario,
  path: 'pg' | 'data-api',
  concurrency: number,
  timing: { warmup: number; measure: number },
  expectedWriteRps: number,
  endpoint?: EndpointProcess,
): Promise<ScenarioResult> {
  if (scenario.leadsPerRequest > 0) {
    await context.fixtures.leads.ensure(leadsNeeded(scenario, expectedWriteRps, timing.warmup + timing.measure));
  }
  const label = `${path === 'pg' ? 'p' : 'd'}${concurrency}${randomUUID().slice(0, 6)}`;
  const api = { url: server.url, token: context.token, connections: concurrency };
  const warm = await runLoad({ ...api, seconds: timing.warmup, next: scenario.requests(context.fixtures, `${label}w`) });
  await endpoint?.resetCallCount();
  const meter = cpuMeter({
    processes: { server: server.pid, data_api_endpoint: endpoint?.pid, load_generator: process.pid },
    perRequest: 'server',
    database: context.database,
  });
  meter.start();
  const measured: LoadResult = await runLoad({ ...api, seconds: timing.measure, next: scenario.requests(context.fixtures, label) });
  const cpu = meter.stop(measured.requests);
  const calls = endpoint ? (await endpoint.callCount()).total : undefined;
  const raw = rawFigure(context.raw, scenario.kind, concurrency);
  const result: ScenarioResult = {
    ...scenarioResult(scenario.name, path, concurrency, warm, measured, raw, cpu),
    ...(calls !== undefined && { data_api_calls_per_request: round2(calls / Math.max(1, measured.requests)) }),
  };
  log(
    `${path} c=${concurrency} ${scenario.name}: ${measured.rps} req/s, p50 ${measured.p50_ms} p95 ${measured.p95_ms} p99 ${measured.p99_ms} ms, ` +
      `errors ${result.errors}${calls !== undefined ? `, ${result.data_api_calls_per_request} Data API calls/request` : ''}` +
      (cpu
        ? `; CPU % of a core: server ${cpu.server} (${cpu.us_per_request} µs/request), pg ${cpu.postgres}, client ${cpu.load_generator}${cpu.data_api_endpoint !== undefined ? `, endpoint ${cpu.data_api_endpoint}` : ''}, other ${cpu.other}`
        : ''),
  );
  if (result.errors > 0) {
    log(
      `  statuses ${JSON.stringify(measured.statuses)} (warm-up ${JSON.stringify(warm.statuses)}), leads exhausted: ${context.fixtures.leads.exhausted}`,
    );
    for (const sample of [...warm.errorSamples, ...measured.errorSamples].slice(0, 3)) log(`  ${sample}`);
  }
  return result;
}

/** Scenarios measured once more at concurrency 1 (the customer's reference figures are per-request latencies). */
const LATENCY_SCENARIOS = ['get by id', 'list by tag (page 1)', 'create'];

const FLOOR_NAMES = { static: 'HTTP, static JSON', 'pg-select': 'HTTP + pg SELECT by id' } as const;

/** A floor server under the same load as the scenarios: GET by id (ignored by the static one). */
async function runFloor(
  context: RunContext,
  floor: ServerProcess,
  mode: 'static' | 'pg-select',
  concurrency: number,
  timing: { warmup: number; measure: number },
): Promise<ScenarioResult> {
  const next = () => {
    let n = 0;
    return () => ({ method: 'GET' as const, path: `/floor/${context.fixtures.ids[n++ % context.fixtures.ids.length]}` });
  };
  const api = { url: floor.url, token: context.token, connections: concurrency };
  const warm = await runLoad({ ...api, seconds: timing.warmup, next: next() });
  const meter = cpuMeter({
    processes: { server: floor.pid, load_generator: process.pid },
    perRequest: 'server',
    database: context.database,
  });
  meter.start();
  const measured = await runLoad({ ...api, seconds: timing.measure, next: next() });
  const cpu = meter.stop(measured.requests);
  const raw = rawFigure(context.raw, 'read', concurrency);
  const result = scenarioResult(FLOOR_NAMES[mode], 'floor', concurrency, warm, measured, raw, cpu);
  log(
    `floor c=${concurrency} ${result.name}: ${result.rps} req/s, p50 ${result.p50_ms} p95 ${result.p95_ms} p99 ${result.p99_ms} ms, errors ${result.errors}` +
      (cpu ? `; CPU % of a core: server ${cpu.server}, pg ${cpu.postgres}, client ${cpu.load_generator}, other ${cpu.other}` : ''),
  );
  return result;
}

async function runScenarios(
  context: RunContext,
  server: ServerProcess,
  path: 'pg' | 'data-api',
  concurrencies: readonly number[],
  timing: { warmup: number; measure: number },
  endpoint?: EndpointProcess,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const concurrency of concurrencies) {
    let writeRps = 0;
    for (const scenario of SCENARIOS) {
      const result = await runScenario(context, server, scenario, path, concurrency, timing, Math.max(writeRps, 2000), endpoint);
      if (scenario.name === 'create') writeRps = result.rps;
      results.push(result);
    }
  }
  return results;
}

/**
 * The handler-CPU scenarios once more, each against a server of its own under `--cpu-prof`
 * (a profile is written when its process exits), to split each request's time between the
 * handler and what only the local server has: HTTP, the pg driver, socket writes, stand-ins.
 */
async function profileRequests(
  context: RunContext,
  dir: string,
  env: Record<string, string>,
  databaseUrl: string,
  measured: readonly ScenarioResult[],
): Promise<RequestCpu[]> {
  const concurrency = context.settings.poolSize;
  const results: RequestCpu[] = [];
  for (const name of Object.keys(CPU_BUDGETS_US)) {
    const scenario = SCENARIOS.find((candidate) => candidate.name === name)!;
    const processName = `profiled-${name.replace(/\W+/g, '-')}`;
    const seconds = { warmup: 1, measure: context.settings.measureSeconds };
    if (scenario.leadsPerRequest > 0) await context.fixtures.leads.ensure(leadsNeeded(scenario, 2000, seconds.warmup + seconds.measure));
    const server = await startServer({ name: processName, profileDir: dir, env: { ...env, DATABASE_URL: databaseUrl } });
    let served = 0;
    try {
      const api = { url: server.url, token: context.token, connections: concurrency };
      for (const [part, duration] of [
        ['w', seconds.warmup],
        ['m', seconds.measure],
      ] as const) {
        const run = await runLoad({
          ...api,
          seconds: duration,
          next: scenario.requests(context.fixtures, `prof${part}${randomUUID().slice(0, 6)}`),
        });
        served += run.requests;
        if (run.errors > 0)
          log(`profiled ${name}: ${run.errors} errors (${JSON.stringify(run.statuses)}); their time is in the profile too`);
      }
    } finally {
      await server.stop();
    }
    const profile = mainThreadProfile(join(dir, processName));
    if (!profile) throw new Error(`the ${processName} server wrote no CPU profile`);
    // The profile gives the proportions; the unprofiled run of the same scenario gives the CPU per request.
    const unprofiled = measured.find((s) => s.path === 'pg' && s.name === name && s.concurrency === concurrency)?.cpu?.us_per_request;
    const breakdown = requestCpuBreakdown(profile, name, concurrency, served, unprofiled === undefined ? undefined : unprofiled * served);
    log(
      `profiled ${name} c=${concurrency}: ${JSON.stringify(breakdown.us_per_request)} µs/request of ${breakdown.total_us_per_request} ` +
        `(the unprofiled CPU was ${breakdown.cpu_share_of_profile} of the profile's time)`,
    );
    results.push(breakdown);
  }
  return results;
}

async function main(): Promise<void> {
  const settings = loadSettings();
  const loadAtStart = Math.round(loadavg()[0]! * 100) / 100;
  if (loadAtStart > 1)
    log(`warning: load average is ${loadAtStart} before the run: other processes compete for the cores and lower every figure`);
  const runDir = join(TMP_DIR, `run-${process.pid}`);
  const profileDir = settings.profile ? join(TMP_DIR, 'profiles') : undefined;
  mkdirSync(runDir, { recursive: true });
  if (profileDir) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  cleanups.push(async () => rmSync(runDir, { recursive: true, force: true }));

  // 1. A fresh database, a token, and the server on the pg path (it applies the migrations).
  const database = await createBenchDatabase(settings.serverUrl);
  cleanups.push(() => database.drop());
  log(`database ${database.name} on PostgreSQL ${database.serverVersion}`);
  const dataDir = join(runDir, 'data');
  const keys = await loadOrCreateDevKeys(dataDir);
  const token = await issueDevToken(keys, { roles: ['admin'], sub: randomUUID(), ttlSeconds: 3600 });
  const common = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', DB_POOL_SIZE: String(settings.poolSize) };

  let server: ServerProcess | undefined = await startServer({
    name: 'server-pg',
    profileDir,
    env: { ...common, DATABASE_URL: database.url },
  });
  cleanups.push(async () => server?.stop());
  log(`server (pg path) at ${server.url}, pid ${server.pid}`);

  // 2. Seed.
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  cleanups.push(() => client.end());
  // Companies first: a B2B customer's company_id must name a live company.
  const companies = await seedCompanies(client);
  const seeded = await withoutSecondaryIndexes(client, () => seedCustomers(client, { count: settings.customers, batch: '' }));
  const salesReps = await seedSalesReps(client);
  await vacuumAnalyze(client);
  const seed = { ...(await describeSeed(client)), sales_reps: salesReps, companies };
  log(`seeded ${seeded.customers} customers and ${seeded.events} events in ${(seeded.ms / 1000).toFixed(1)} s: ${JSON.stringify(seed)}`);

  // 3. The Data API endpoint (its own process, as the AWS service is), then the Lambda bundles and
  //    their cold starts against it while the outbox is still empty (nothing for the relay to send).
  const endpoint = await startDataApiEndpoint({ databaseUrl: database.url, poolSize: settings.poolSize, profileDir });
  cleanups.push(() => endpoint.stop());
  log(`Data API endpoint at ${endpoint.url}`);
  const sample = await client.query<{ id: string }>(`select id from customer_mgmt_customers where status = 'customer' order by id limit 1`);
  let bundles: BundleResult[] = [];
  if (!settings.skip.has('bundles')) {
    bundles = await measureBundles({
      outDir: join(runDir, 'bundles'),
      dataApiEndpoint: endpoint.url,
      sampleCustomerId: sample.rows[0]!.id,
      runs: settings.coldStartRuns,
    });
    for (const b of bundles) {
      log(
        `bundle ${b.function}: ${b.bytes} bytes, cold start ${b.cold_start_ms} ms (import ${b.import_ms}, first call ${b.first_invocation_ms}), hello-world ${b.baseline_ms} ms; first invocation ${b.first_invocation}`,
      );
    }
  }

  // 4. PostgreSQL's own figures.
  let raw: RawMeasurement[] = [];
  if (!settings.skip.has('raw')) {
    raw = await measureRawPostgres({
      url: database.url,
      poolSize: settings.poolSize,
      concurrencies: [...new Set([...settings.concurrencies, ...settings.dataApiConcurrencies, 1])],
      warmupSeconds: settings.rawWarmupSeconds,
      measureSeconds: settings.rawMeasureSeconds,
    });
    for (const m of raw) {
      log(
        `raw pg ${m.operation} c=${m.concurrency}: ${m.rps}/s, p50 ${m.p50_ms} p95 ${m.p95_ms} p99 ${m.p99_ms} ms, errors ${m.errors}` +
          (m.cpu ? `; CPU % of a core: client ${m.cpu.client}, pg ${m.cpu.postgres}, other ${m.cpu.other}` : ''),
      );
    }
  }

  // 5. The HTTP floors, then the scenarios over HTTP on the pg path.
  // Only the HTTP scenarios read fixtures (a bundles-only run on a small seed has no 50 pages to walk).
  const httpScenarios = !settings.skip.has('pg') || !settings.skip.has('data-api');
  const context: RunContext | undefined = httpScenarios
    ? { settings, database: database.name, token, fixtures: await loadFixtures(client, { url: server.url, token }), raw }
    : undefined;
  const floors: ScenarioResult[] = [];
  if (!settings.skip.has('pg')) {
    for (const mode of ['static', 'pg-select'] as const) {
      const floor = await startFloorServer(mode, { databaseUrl: database.url, poolSize: settings.poolSize });
      cleanups.push(() => floor.stop());
      try {
        for (const concurrency of settings.concurrencies) {
          floors.push(
            await runFloor(context!, floor, mode, concurrency, { warmup: settings.warmupSeconds, measure: settings.measureSeconds }),
          );
        }
      } finally {
        await floor.stop();
      }
    }
  }
  const scenarios: ScenarioResult[] = [];
  if (!settings.skip.has('pg')) {
    scenarios.push(
      ...(await runScenarios(context!, server, 'pg', settings.concurrencies, {
        warmup: settings.warmupSeconds,
        measure: settings.measureSeconds,
      })),
    );
    // Latency without queueing: one request at a time.
    for (const name of LATENCY_SCENARIOS) {
      const scenario = SCENARIOS.find((candidate) => candidate.name === name)!;
      scenarios.push(await runScenario(context!, server, scenario, 'pg', 1, { warmup: 1, measure: settings.latencySeconds }, 2000));
    }
  }
  await server.stop();
  server = undefined;
  const requestCpu = settings.skip.has('pg')
    ? []
    : await profileRequests(context!, join(runDir, 'request-profiles'), common, database.url, scenarios);

  // 6. The Data API path: the server configured for the Data API (as the Lambdas are on AWS).
  let dataApiCalls: Record<string, number> = {};
  if (!settings.skip.has('data-api')) {
    server = await startServer({
      name: 'server-data-api',
      profileDir,
      env: {
        ...common,
        DB_CLUSTER_ARN: LOCAL_CLUSTER.clusterArn,
        DB_SECRET_ARN: LOCAL_CLUSTER.secretArn,
        DB_NAME: LOCAL_CLUSTER.database,
        AWS_REGION: LOCAL_CLUSTER.region,
        DATA_API_ENDPOINT: endpoint.url,
      },
    });
    log(`server (Data API path) at ${server.url}, pid ${server.pid}`);
    dataApiCalls = await countDataApiCalls({ url: server.url, token }, endpoint);
    log(`Data API calls per request: ${JSON.stringify(dataApiCalls)}`);
    scenarios.push(
      ...(await runScenarios(
        context!,
        server,
        'data-api',
        settings.dataApiConcurrencies,
        { warmup: settings.dataApiWarmupSeconds, measure: settings.dataApiMeasureSeconds },
        endpoint,
      )),
    );
    await server.stop();
    server = undefined;
  }
  await endpoint.stop();

  // 7. Report.
  const primary = settings.concurrencies.includes(settings.poolSize) ? settings.poolSize : settings.concurrencies[0]!;
  const rawAt = (operation: 'insert' | 'select') => raw.find((m) => m.operation === operation && m.concurrency === primary)?.rps ?? 0;
  const partial: Omit<BenchReport, 'targets'> = {
    machine: { ...describeMachine(database.serverVersion), load_average_at_start: loadAtStart },
    date: new Date().toISOString(),
    run_seconds: Math.round((performance.now() - started) / 1000),
    settings: {
      customers: settings.customers,
      pool_size: settings.poolSize,
      concurrencies: settings.concurrencies,
      warmup_s: settings.warmupSeconds,
      measure_s: settings.measureSeconds,
      data_api_concurrencies: settings.dataApiConcurrencies,
      data_api_warmup_s: settings.dataApiWarmupSeconds,
      data_api_measure_s: settings.dataApiMeasureSeconds,
      raw_measure_s: settings.rawMeasureSeconds,
      cold_start_runs: settings.coldStartRuns,
      load_generator: 'autocannon 8 (in the orchestrating process), server and Data API endpoint in child processes',
    },
    seed: { ...seed, seed_ms: Math.round(seeded.ms) },
    raw: {
      insert_rps: rawAt('insert'),
      select_rps: rawAt('select'),
      pool_size: settings.poolSize,
      concurrency: primary,
      by_concurrency: raw,
    },
    floors,
    scenarios,
    data_api_calls: dataApiCalls,
    bundles,
    request_cpu: requestCpu,
  };
  const report: BenchReport = { ...partial, targets: evaluateTargets(partial, primary) };
  const quick = process.argv.includes('--quick') || settings.skip.size > 0;
  if (quick) log('partial or --quick run: results are printed, not written to bench/results');
  else for (const file of writeReport(report)) log(`wrote ${file}`);
  process.stdout.write(`\n${formatText(report)}\n`);

  if (profileDir) {
    await cleanUp();
    const summaries: ProfileSummary[] = [];
    for (const name of ['server-pg', 'server-data-api', 'data-api-endpoint']) {
      const main = mainThreadProfile(join(profileDir, name));
      if (main) summaries.push(summarizeProfile(main, 15));
    }
    process.stdout.write(`\nCPU profiles (${profileDir}):\n${summaries.map(formatProfile).join('\n\n')}\n`);
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main()
  .then(cleanUp)
  .then(() => {
    log('done');
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanUp();
    process.exit(1);
  });
