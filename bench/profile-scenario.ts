/**
 * CPU profile of the server under one scenario only (the full run's `--profile` mixes them):
 * a fresh seeded database, the server under `node --cpu-prof`, warm-up, the measured window,
 * then the server's main-thread profile summarised (self time by package and by function).
 *
 *   npx tsx bench/profile-scenario.ts "get by id" [seconds=8] [concurrency=16] [top=30]
 *
 * The profile also holds the server's start (module loading through tsx), a second or so.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { issueDevToken, loadOrCreateDevKeys } from '../infra/local/dev-auth.js';
import { createBenchDatabase } from './database.js';
import { runLoad } from './load.js';
import { startServer } from './processes.js';
import { formatProfile, mainThreadProfile, summarizeProfile } from './profile-summary.js';
import { loadFixtures, SCENARIOS } from './scenarios.js';
import { mainThreadCpuMicros } from './cpu.js';
import { requestCpuBreakdown } from './request-cpu.js';
import { seedCompanies, seedCustomers, seedSalesReps, vacuumAnalyze, withoutSecondaryIndexes } from './seed.js';
import { TMP_DIR } from './settings.js';

async function main(): Promise<void> {
  const [name, seconds = '8', concurrency = '16', top = '30'] = process.argv.slice(2);
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario)
    throw new Error(
      `usage: npx tsx bench/profile-scenario.ts "<scenario>" [seconds] [concurrency] [top]; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  const dir = join(TMP_DIR, `profile-${scenario.name.replace(/\W+/g, '-')}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const database = await createBenchDatabase(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
  const client = new pg.Client({ connectionString: database.url });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const keys = await loadOrCreateDevKeys(join(dir, 'data'));
    const token = await issueDevToken(keys, { roles: ['admin'], sub: randomUUID(), ttlSeconds: 3600 });
    server = await startServer({
      name: 'server',
      profileDir: dir,
      env: { DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent', DATABASE_URL: database.url, DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '16' },
    });
    await client.connect();
    await seedCompanies(client);
    await withoutSecondaryIndexes(client, () =>
      seedCustomers(client, { count: Number(process.env.BENCH_CUSTOMERS ?? 100_000), batch: '' }),
    );
    await seedSalesReps(client);
    await vacuumAnalyze(client);
    const fixtures = await loadFixtures(client, { url: server.url, token });
    const connections = Number(concurrency);
    await fixtures.leads.ensure(Math.ceil(scenario.leadsPerRequest * 5000 * (2 + Number(seconds))) + 500);
    const cpuBefore = mainThreadCpuMicros(server.pid);
    const warm = await runLoad({ url: server.url, token, connections, seconds: 2, next: scenario.requests(fixtures, 'w') });
    const result = await runLoad({ url: server.url, token, connections, seconds: Number(seconds), next: scenario.requests(fixtures, 'm') });
    process.stdout.write(
      `${scenario.name} c=${connections}: ${result.rps} req/s, p50 ${result.p50_ms} p95 ${result.p95_ms} p99 ${result.p99_ms} ms, errors ${result.errors}\n`,
    );
    const cpuAfter = mainThreadCpuMicros(server.pid);
    await server.stop();
    server = undefined;
    const profile = mainThreadProfile(join(dir, 'server'));
    if (profile) {
      process.stdout.write(`${formatProfile(summarizeProfile(profile, Number(top)))}\n`);
      const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
      const breakdown = requestCpuBreakdown(profile, scenario.name, connections, warm.requests + result.requests, cpu);
      process.stdout.write(`  per request, µs of main-thread CPU by layer (bench/request-cpu.ts):\n`);
      for (const [layer, us] of Object.entries(breakdown.us_per_request)) process.stdout.write(`    ${String(us).padStart(6)}  ${layer}\n`);
      process.stdout.write(
        `    ${String(breakdown.total_us_per_request).padStart(6)}  total (the main thread's CPU was ${breakdown.cpu_share_of_profile} of the profile's time)\n`,
      );
    }
  } finally {
    await server?.stop();
    await client.end().catch(() => undefined);
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
